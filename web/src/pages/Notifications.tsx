import { get } from '../api';
import { ErrorBox, Loading, Status, time } from '../common';
import { useLive } from '../live';

interface Topic { name: string; topicArn: string; createdAt: string }
interface Subscription { subscriptionId: string; topic: string; protocol: string; endpoint: string }
interface Delivery {
  deliveryId: string;
  messageId: string;
  subscriptionId: string;
  topic: string;
  status: string;
  attempts: { attempt: number; startedAt: string; finishedAt?: string; outcome: string; error?: string }[];
  lastError?: string;
  createdAt: string;
}

export function NotificationsPage() {
  const { data, error } = useLive(
    async () => {
      const [topics, subscriptions, deliveries] = await Promise.all([
        get<{ items: Topic[] }>('/api/v1/topics?limit=1000'),
        get<{ items: Subscription[] }>('/api/v1/subscriptions?limit=1000'),
        get<{ items: Delivery[] }>('/api/v1/deliveries?limit=200'),
      ]);
      return { topics: topics.items, subscriptions: subscriptions.items, deliveries: deliveries.items };
    },
    [],
    ['deliveries'],
  );
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <section>
      <h1>Notifications</h1>
      <h2>Topics and subscriptions</h2>
      <table>
        <thead><tr><th>Topic</th><th>Subscriptions</th><th>Created</th></tr></thead>
        <tbody>
          {data.topics.map((t) => (
            <tr key={t.name}>
              <td>{t.name}</td>
              <td>
                <ul className="plain">
                  {data.subscriptions.filter((s) => s.topic === t.name).map((s) => (
                    <li key={s.subscriptionId}>{s.protocol}: {s.endpoint}</li>
                  ))}
                </ul>
              </td>
              <td>{time(t.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Deliveries</h2>
      <table data-testid="deliveries">
        <thead><tr><th>Topic</th><th>Message</th><th>Subscription</th><th>Status</th><th>Attempts</th><th>Created</th></tr></thead>
        <tbody>
          {data.deliveries.map((d) => (
            <tr key={d.deliveryId}>
              <td>{d.topic}</td>
              <td><code>{d.messageId}</code></td>
              <td>{data.subscriptions.find((s) => s.subscriptionId === d.subscriptionId)?.endpoint ?? d.subscriptionId}</td>
              <td><Status value={d.status} /></td>
              <td>
                <ol className="attempts">
                  {d.attempts.map((a) => (
                    <li key={a.attempt}>{a.outcome} at {time(a.startedAt)}{a.error ? `: ${a.error}` : ''}</li>
                  ))}
                </ol>
              </td>
              <td>{time(d.createdAt)}</td>
            </tr>
          ))}
          {data.deliveries.length === 0 && <tr><td colSpan={6} className="muted">No deliveries yet.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
