import { api, ApiError, type StatsHour, type Status } from '../api';
import { LineChart } from '../components/chart';
import { ErrorMessage, PageTitle } from '../components/ui';
import { formatBytes, formatDuration } from '../format';
import { useLoad } from '../hooks';

export function Dashboard() {
  const status = useLoad(() => api.get<Status>('status'), []);
  const stats = useLoad(() => api.get<{ hours: StatsHour[] }>('stats?hours=24'), []);
  const s = status.data;
  const hours = stats.data?.hours ?? [];
  const starts = hours.map((h) => h.start);
  return (
    <>
      <PageTitle>Dashboard</PageTitle>
      <ErrorMessage error={status.error} />
      {s && (
        <dl class="cards">
          <div class="wide">
            <dt>Host</dt>
            <dd>{s.hostname}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{s.version}</dd>
          </div>
          <div>
            <dt>Up for</dt>
            <dd>{formatDuration(s.uptime_seconds)}</dd>
          </div>
          <div>
            <dt>Domains</dt>
            <dd>{s.domains}</dd>
          </div>
          <div>
            <dt>Accounts</dt>
            <dd>{s.accounts}</dd>
          </div>
          <div>
            <dt>Store</dt>
            <dd>{formatBytes(s.store_bytes)}</dd>
          </div>
          <div>
            <dt>Queue</dt>
            <dd>{s.queue_length}</dd>
          </div>
        </dl>
      )}
      {s && (
        <section aria-labelledby="listeners">
          <h2 id="listeners">Listeners</h2>
          <ul class="listeners">
            {Object.entries(s.listeners)
              .filter(([, eps]) => eps.length > 0)
              .map(([name, eps]) => (
                <li>
                  <strong>{name}</strong> {eps.join(', ')}
                </li>
              ))}
          </ul>
          {Object.values(s.listeners).some((eps) => eps.length === 0) && (
            <p class="hint">
              Off:{' '}
              {Object.entries(s.listeners)
                .filter(([, eps]) => eps.length === 0)
                .map(([name]) => name)
                .join(', ')}
            </p>
          )}
        </section>
      )}
      <section aria-labelledby="activity">
        <h2 id="activity">Last 24 hours</h2>
        {stats.error instanceof ApiError && stats.error.status === 404 ? (
          <p class="notice">This server does not keep hourly statistics yet.</p>
        ) : (
          <ErrorMessage error={stats.error} />
        )}
        {stats.data && (
          <div class="charts">
            <LineChart
              title="Messages per hour"
              hours={starts}
              series={[
                { label: 'Received', kind: 'a', values: hours.map((h) => h.received) },
                { label: 'Sent (remote)', kind: 'b', values: hours.map((h) => h.delivered) },
                { label: 'Rejected', kind: 'c', values: hours.map((h) => h.rejected) },
              ]}
            />
            <LineChart
              title="Queue size"
              hours={starts}
              series={[{ label: 'Queued', kind: 'b', values: hours.map((h) => h.queue_size) }]}
            />
            <LineChart
              title="Failed logins"
              hours={starts}
              series={[{ label: 'Failed logins', kind: 'c', values: hours.map((h) => h.failed_logins) }]}
            />
          </div>
        )}
      </section>
    </>
  );
}
