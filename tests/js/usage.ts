// Compiled by scripts/check (tsc --noEmit): the declarations in realtime.d.ts hold for the
// documented uses (docs/clients.md).
import { connect, type EventFrame, type LiveList, RealtimeError } from "../../django_realtime/static/django_realtime/realtime.js";

interface Article {
  id: number;
  title: string;
  status: "draft" | "published";
}

const client = connect("/ws/", { WebSocket, auth: async () => `Token ${localStorage.getItem("token")}` });
const articles: LiveList<Article> = client.liveList<Article>("/api/articles/?status=published", (items, change) => {
  const titles: string[] = items.map((item) => item.title);
  if (change.type === "end" && change.error instanceof RealtimeError) console.error(change.error.code, titles);
});
const one = client.liveObject<Article>("/api/articles/42/", (value) => value?.title);
const sub = client.subscribe<Article>("/api/articles/", {
  since: articles.subscription.cursor ?? undefined,
  onEvent(frame: EventFrame<Article>) {
    if (frame.event !== "deleted") console.log(frame.data?.status, frame.pk, frame.cursor);
  },
  onEnd(reason, error) {
    console.log(reason, error?.detail);
  },
});
const stop: () => void = client.on("state", (state) => console.log(state === "open", one.value));
client.on("close", (code, reason) => console.log(code, reason));
client.setAuth(null).then((ok: boolean) => ok && sub.unsubscribe());
client.drop();
const error: RealtimeError = new RealtimeError("not_found", "No such article.", 404);
console.log(error.status);
stop();
client.close();
