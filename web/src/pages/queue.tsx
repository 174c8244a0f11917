import { api, enc, type Page, type QueueItem } from '../api';
import { ErrorMessage, Notice, PageTitle } from '../components/ui';
import { formatBytes } from '../format';
import { useAction, useLoad } from '../hooks';

function when(t: number | string): string {
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleString();
}

export function Queue() {
  const list = useLoad(() => api.get<Page<QueueItem>>('queue'), []);
  const { error, notice, run } = useAction();

  async function flush() {
    await run(async () => {
      await api.post('queue/flush');
      list.reload();
      return 'Every queued message will be retried now.';
    });
  }

  async function remove(item: QueueItem) {
    if (!confirm(`Remove message ${item.id} from the queue without delivering it?`)) return;
    await run(async () => {
      await api.del(`queue/${enc(String(item.id))}`);
      list.reload();
      return `Message ${item.id} removed.`;
    });
  }

  return (
    <>
      <PageTitle>Queue</PageTitle>
      <div class="buttons">
        <button type="button" class="primary" onClick={flush}>
          Retry all now
        </button>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error ?? list.error} />
      <Notice text={notice} />
      {list.data && list.data.items.length === 0 && <p>The queue is empty.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Queued messages ({list.data.total})</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Size</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Last error</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((m) => (
                <tr key={m.id}>
                  <th scope="row" data-label="Id">
                    {m.id}
                  </th>
                  <td data-label="From">{m.sender || '<>'}</td>
                  <td data-label="To">{m.recipients.join(', ')}</td>
                  <td data-label="Size">{formatBytes(m.size)}</td>
                  <td data-label="Attempts">{m.attempts}</td>
                  <td data-label="Next attempt">{when(m.next_attempt)}</td>
                  <td data-label="Last error">{m.last_error}</td>
                  <td class="actions">
                    <button type="button" class="danger" onClick={() => remove(m)} aria-label={`Remove message ${m.id}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
