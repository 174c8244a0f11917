import { useState } from 'preact/hooks';
import { api, ApiError, enc, type DnsCheck, type DnsRecord } from '../api';
import { ErrorMessage, Link, PageTitle } from '../components/ui';
import { useLoad } from '../hooks';

const statusText: Record<DnsCheck['status'], string> = {
  ok: 'OK',
  missing: 'Missing',
  wrong: 'Wrong',
  warning: 'Warning',
};

export function Dns(props: { domain: string }) {
  const records = useLoad(
    () => api.get<{ records: DnsRecord[]; zone: string }>(`domains/${enc(props.domain)}/dns`),
    [props.domain],
  );
  const [checks, setChecks] = useState<DnsCheck[] | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [checking, setChecking] = useState(false);

  async function check() {
    setChecking(true);
    setCheckError(null);
    try {
      const r = await api.get<{ checks: DnsCheck[] }>(`domains/${enc(props.domain)}/dns/check`);
      setChecks(r.checks);
    } catch (err) {
      setChecks(null);
      setCheckError(
        err instanceof ApiError && err.status === 404 && err.code === 'not_found' && records.data
          ? new ApiError(404, 'not_found', 'This server cannot check the published DNS yet.')
          : err,
      );
    } finally {
      setChecking(false);
    }
  }

  const problems = checks?.filter((c) => c.status !== 'ok').length ?? 0;
  return (
    <>
      <p class="crumbs">
        <Link to="domains">Domains</Link> › {props.domain}
      </p>
      <PageTitle>DNS records for {props.domain}</PageTitle>
      <ErrorMessage error={records.error} />
      {records.data && (
        <>
          <p>Publish these records in the zone of {props.domain}.</p>
          <div class="table-wrap">
            <table class="list dns">
              <caption class="sr-only">Records to publish</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Data</th>
                  <th scope="col">Purpose</th>
                </tr>
              </thead>
              <tbody>
                {records.data.records.map((r) => (
                  <tr>
                    <th scope="row" data-label="Name">
                      {r.name}
                    </th>
                    <td data-label="Type">{r.type}</td>
                    <td data-label="Data" class="mono">
                      {r.data}
                    </td>
                    <td data-label="Purpose">{r.purpose}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details>
            <summary>Zone file lines</summary>
            <pre class="zone" tabIndex={0}>
              {records.data.zone}
            </pre>
          </details>
        </>
      )}
      <section aria-labelledby="live-check">
        <h2 id="live-check">Live check</h2>
        <button type="button" class="primary" onClick={check} disabled={checking}>
          {checking ? 'Checking…' : 'Check the published DNS'}
        </button>
        <ErrorMessage error={checkError} />
        <p role="status" aria-live="polite">
          {checks && (problems === 0 ? 'Everything is published correctly.' : `${problems} record(s) need attention.`)}
        </p>
        {checks && (
          <div class="table-wrap">
            <table class="list checks">
              <caption class="sr-only">Published records compared with what Copper expects</caption>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Found</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {checks.map((c) => (
                  <tr class={`status-${c.status}`}>
                    <th scope="row" data-label="Check">
                      {c.type} {c.name}
                    </th>
                    <td data-label="Status">
                      <span class={`badge badge-${c.status}`}>{statusText[c.status] ?? c.status}</span>
                    </td>
                    <td data-label="Expected" class="mono">
                      {c.expected}
                    </td>
                    <td data-label="Found" class="mono">
                      {c.found.length ? c.found.join('\n') : '—'}
                    </td>
                    <td data-label="Note">{c.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
