import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, type Domain, type Page, type Role, type User } from '../api';
import { ErrorMessage, Field, Notice, Pager, PageTitle, SearchBox, useId } from '../components/ui';
import { formatQuota, parseSize, query } from '../format';
import { useAction, useLoad, useSearchedList } from '../hooks';

const limit = 25;

function RoleSelect(props: { value: Role; onChange: (r: Role) => void }) {
  const id = useId('role');
  return (
    <div class="field">
      <label for={id}>Role</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value as Role)}>
        <option value="user">User</option>
        <option value="admin">Administrator</option>
      </select>
    </div>
  );
}

function DomainFilter(props: { value: string; onChange: (d: string) => void }) {
  const id = useId('domain');
  const domains = useLoad(() => api.get<Page<Domain>>('domains?limit=500'), []);
  return (
    <div class="field">
      <label for={id}>Domain</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">All domains</option>
        {domains.data?.items.map((d) => (
          <option value={d.name}>{d.name}</option>
        ))}
      </select>
    </div>
  );
}

// The quota as the admin would type it, exactly (re-saving must not round it).
function quotaText(bytes: number): string {
  if (bytes <= 0) return '';
  for (const [unit, size] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function NewUser(props: { onCreated: (u: User) => void }) {
  const [address, setAddress] = useState('');
  const [password, setPassword] = useState('');
  const [quota, setQuota] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [error, setError] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    const quota_bytes = parseSize(quota);
    if (quota_bytes === null) {
      setError(new Error('bad quota'));
      return;
    }
    try {
      const u = await api.post<User>('users', { address: address.trim(), password, quota_bytes, role });
      setAddress('');
      setPassword('');
      setQuota('');
      setRole('user');
      props.onCreated(u);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-label="New user">
      <h2>New user</h2>
      <div class="grid">
        <Field label="Address" name="address" value={address} onInput={setAddress} autocomplete="off" required />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autocomplete="new-password" required hint="At least 8 characters" />
        <Field label="Quota" name="quota" value={quota} onInput={setQuota} hint="For example 2G or 500M; empty for no limit" />
        <RoleSelect value={role} onChange={setRole} />
      </div>
      <button type="submit" class="primary">
        Create user
      </button>
      <ErrorMessage error={error instanceof Error && error.message === 'bad quota' ? null : error} />
      {error instanceof Error && error.message === 'bad quota' && (
        <p class="error" role="alert">
          The quota must be a size such as 2G, 500M or 0.
        </p>
      )}
    </form>
  );
}

function EditUser(props: { user: User; onDone: (u: User | null) => void }) {
  const u = props.user;
  const [quota, setQuota] = useState(quotaText(u.quota_bytes));
  const [messages, setMessages] = useState(u.quota_messages > 0 ? String(u.quota_messages) : '');
  const [role, setRole] = useState<Role>(u.role);
  const [disabled, setDisabled] = useState(u.disabled);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const disabledId = useId('disabled');
  const formRef = useRef<HTMLFormElement>(null);
  // The form opens above the list: move focus (and the screen) to it.
  useEffect(() => {
    formRef.current?.querySelector('input')?.focus();
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    const quota_bytes = parseSize(quota);
    const quota_messages = messages.trim() === '' ? 0 : Number(messages);
    if (quota_bytes === null || !Number.isSafeInteger(quota_messages) || quota_messages < 0) {
      setError(new Error('bad quota'));
      return;
    }
    const change: Record<string, unknown> = { quota_bytes, quota_messages, role, disabled };
    if (password) change.password = password;
    try {
      props.onDone(await api.patch<User>(`users/${enc(u.address)}`, change));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form class="card edit" ref={formRef} onSubmit={submit} aria-label={`Edit ${u.address}`}>
      <h2>Edit {u.address}</h2>
      <div class="grid">
        <Field label="Quota" name="quota" value={quota} onInput={setQuota} hint="For example 2G; empty for no limit" />
        <Field label="Message limit" name="quota_messages" value={messages} onInput={setMessages} inputmode="numeric" hint="Empty for no limit" />
        <RoleSelect value={role} onChange={setRole} />
        <Field label="New password" name="new_password" type="password" value={password} onInput={setPassword} autocomplete="new-password" hint="Leave empty to keep the current one" />
        <div class="field check">
          <input id={disabledId} type="checkbox" checked={disabled} onChange={(e) => setDisabled((e.currentTarget as HTMLInputElement).checked)} />
          <label for={disabledId}>Disabled (cannot log in, still receives mail)</label>
        </div>
      </div>
      <div class="buttons">
        <button type="submit" class="primary">
          Save
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          Cancel
        </button>
      </div>
      {error instanceof Error && error.message === 'bad quota' ? (
        <p class="error" role="alert">
          The quota must be a size such as 2G, and the message limit a whole number.
        </p>
      ) : (
        <ErrorMessage error={error} />
      )}
    </form>
  );
}

export function Users() {
  const [domain, setDomain] = useState('');
  const { q, setQuery, search, offset, setOffset, list } = useSearchedList(
    (q, offset) => api.get<Page<User>>(`users${query({ domain, q, offset, limit })}`),
    [domain],
  );
  const [editing, setEditing] = useState<User | null>(null);
  const { error, notice, setNotice, run } = useAction();

  async function remove(u: User) {
    if (!confirm(`Delete ${u.address} and all its mail?`)) return;
    await run(async () => {
      await api.del(`users/${enc(u.address)}`);
      list.reload();
      return `${u.address} deleted.`;
    });
  }

  return (
    <>
      <PageTitle>Users</PageTitle>
      <NewUser
        onCreated={(u) => {
          setNotice(`${u.address} created.`);
          list.reload();
        }}
      />
      {editing && (
        <EditUser
          key={editing.address}
          user={editing}
          onDone={(u) => {
            setEditing(null);
            if (u) {
              setNotice(`${u.address} saved.`);
              list.reload();
            }
          }}
        />
      )}
      <ErrorMessage error={error ?? list.error} />
      <Notice text={notice} />
      <div class="filters">
        <DomainFilter value={domain} onChange={(d) => (setDomain(d), setOffset(0))} />
        <SearchBox label="Search users" value={q} onInput={setQuery} />
      </div>
      <div class="table-wrap">
        <table class="list">
          <caption class="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Role</th>
              <th scope="col">Quota</th>
              <th scope="col">Messages</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((u) => (
              <tr key={u.address} class={u.disabled ? 'disabled' : undefined}>
                <th scope="row" data-label="Address">
                  {u.address}
                  {u.disabled && <span class="badge">disabled</span>}
                </th>
                <td data-label="Role">{u.role === 'admin' ? 'Administrator' : 'User'}</td>
                <td data-label="Quota">{formatQuota(u.used_bytes, u.quota_bytes)}</td>
                <td data-label="Messages">
                  {u.used_messages}
                  {u.quota_messages > 0 ? ` of ${u.quota_messages}` : ''}
                </td>
                <td class="actions">
                  <button type="button" onClick={() => setEditing(u)} aria-label={`Edit ${u.address}`}>
                    Edit
                  </button>
                  <button type="button" class="danger" onClick={() => remove(u)} aria-label={`Delete ${u.address}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data && list.data.items.length === 0 && <p>No users{search || domain ? ' match' : ' yet'}.</p>}
      {list.data && (
        <Pager offset={offset} limit={limit} count={list.data.items.length} total={list.data.total} onChange={setOffset} />
      )}
    </>
  );
}
