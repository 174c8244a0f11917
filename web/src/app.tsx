// The admin portal: a session check, then the pages a role may see.
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthorizedHandler, type SessionInfo } from './api';
import { Link } from './components/ui';
import { Account } from './pages/account';
import { Aliases } from './pages/aliases';
import { Dashboard } from './pages/dashboard';
import { Dns } from './pages/dns';
import { Domains } from './pages/domains';
import { Login } from './pages/login';
import { Queue } from './pages/queue';
import { Users } from './pages/users';
import { navigate, useRoute } from './router';

type User = SessionInfo['user'];

const adminPages = [
  { route: '', label: 'Dashboard' },
  { route: 'domains', label: 'Domains' },
  { route: 'users', label: 'Users' },
  { route: 'aliases', label: 'Aliases' },
  { route: 'queue', label: 'Queue' },
  { route: 'account', label: 'My account' },
];

function Page(props: { route: string; admin: boolean }) {
  const r = props.route;
  if (!props.admin || r === 'account') return <Account />;
  const dns = /^domains\/([^/]+)\/dns$/.exec(r);
  if (dns) return <Dns domain={dns[1]} />;
  switch (r) {
    case 'domains':
      return <Domains />;
    case 'users':
      return <Users />;
    case 'aliases':
      return <Aliases />;
    case 'queue':
      return <Queue />;
    default:
      return <Dashboard />;
  }
}

export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const route = useRoute();

  function signedIn(s: SessionInfo) {
    setCsrfToken(s.csrf_token);
    setUser(s.user);
  }

  useEffect(() => {
    setUnauthorizedHandler(() => setUser(null));
    api.get<SessionInfo>('session').then(signedIn, () => setUser(null));
  }, []);

  async function logout() {
    try {
      await api.post('logout');
    } finally {
      setCsrfToken('');
      setUser(null);
      navigate('');
    }
  }

  if (user === undefined) return <p class="loading">Loading…</p>;
  if (user === null) return <Login onLogin={signedIn} />;
  const admin = user.role === 'admin';
  const pages = admin ? adminPages : [{ route: '', label: 'My account' }];
  const current = admin ? (route.startsWith('domains/') ? 'domains' : route) : '';
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Copper</span>
        <nav aria-label="Main">
          <ul>
            {pages.map((p) => (
              <li>
                <Link to={p.route} current={p.route === current}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="me">
          <span class="who" title={user.address}>
            {user.address}
          </span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" key={route}>
        <Page route={route} admin={admin} />
      </main>
    </>
  );
}
