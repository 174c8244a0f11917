import { useState } from 'preact/hooks';
import { api, enc, type Domain, type Page } from '../api';
import { ErrorMessage, Field, Link, Notice, Pager, PageTitle, SearchBox } from '../components/ui';
import { query } from '../format';
import { useAction, useSearchedList } from '../hooks';

const limit = 25;

export function Domains() {
  const { q, setQuery, search, offset, setOffset, list } = useSearchedList((q, offset) =>
    api.get<Page<Domain>>(`domains${query({ q, offset, limit })}`),
  );
  const [name, setName] = useState('');
  const { error, notice, run } = useAction();

  async function create(e: Event) {
    e.preventDefault();
    await run(async () => {
      const d = await api.post<{ name: string }>('domains', { name: name.trim() });
      setName('');
      list.reload();
      return `Domain ${d.name} created.`;
    });
  }

  async function remove(d: Domain) {
    if (!confirm(`Delete the domain ${d.name}?`)) return;
    await run(async () => {
      await api.del(`domains/${enc(d.name)}`);
      list.reload();
      return `Domain ${d.name} deleted.`;
    });
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
      <SearchBox label="Search domains" value={q} onInput={setQuery} />
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
