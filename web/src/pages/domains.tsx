import { useState } from 'preact/hooks';
import { api, enc, type Domain, type Page } from '../api';
import { ErrorMessage, Field, Link, Notice, Pager, PageTitle, SearchBox } from '../components/ui';
import { query } from '../format';
import { useDebounced, useLoad } from '../hooks';

const limit = 25;

export function Domains() {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q, 250);
  const list = useLoad(() => api.get<Page<Domain>>(`domains${query({ q: search, offset, limit })}`), [search, offset]);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const d = await api.post<{ name: string }>('domains', { name: name.trim() });
      setNotice(`Domain ${d.name} created.`);
      setName('');
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  async function remove(d: Domain) {
    if (!confirm(`Delete the domain ${d.name}?`)) return;
    setError(null);
    try {
      await api.del(`domains/${enc(d.name)}`);
      setNotice(`Domain ${d.name} deleted.`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <PageTitle>Domains</PageTitle>
      <form class="inline-form" onSubmit={create}>
        <Field label="New domain" name="domain" value={name} onInput={setName} required hint="For example example.org" />
        <button type="submit" class="primary">
          Add domain
        </button>
      </form>
      <ErrorMessage error={error ?? list.error} />
      <Notice text={notice} />
      <SearchBox label="Search domains" value={q} onInput={(v) => (setQ(v), setOffset(0))} />
      <div class="table-wrap">
        <table class="list">
          <caption class="sr-only">Domains</caption>
          <thead>
            <tr>
              <th scope="col">Domain</th>
              <th scope="col">Users</th>
              <th scope="col">Aliases</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((d) => (
              <tr key={d.name}>
                <th scope="row" data-label="Domain">
                  {d.name}
                </th>
                <td data-label="Users">{d.users}</td>
                <td data-label="Aliases">{d.aliases}</td>
                <td class="actions">
                  <Link to={`domains/${d.name}/dns`}>DNS records</Link>
                  <button type="button" class="danger" onClick={() => remove(d)} aria-label={`Delete ${d.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data && list.data.items.length === 0 && <p>No domains{search ? ' match' : ' yet'}.</p>}
      {list.data && (
        <Pager offset={offset} limit={limit} count={list.data.items.length} total={list.data.total} onChange={setOffset} />
      )}
    </>
  );
}
