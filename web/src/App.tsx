/*
 * The shell: session check, navigation, and the page for the current path.
 */
import { useEffect, useState } from 'react';
import { loadSession, logout } from './api';
import { Link } from './common';
import { match, navigate, useLocation } from './router';
import { ExecutionPage } from './pages/Execution';
import { ExecutionsPage } from './pages/Executions';
import { FormsPage } from './pages/Forms';
import { JobPage } from './pages/Job';
import { JobsPage } from './pages/Jobs';
import { LoginPage } from './pages/Login';
import { NotificationsPage } from './pages/Notifications';
import { ObjectsPage } from './pages/Objects';
import { OverviewPage } from './pages/Overview';
import { StateMachinePage, StateMachinesPage } from './pages/StateMachines';

const SECTIONS: [string, string][] = [
  ['/overview', 'Overview'],
  ['/forms', 'Forms'],
  ['/state-machines', 'State machines'],
  ['/executions', 'Executions'],
  ['/jobs', 'Jobs'],
  ['/objects', 'Objects'],
  ['/notifications', 'Notifications'],
];

function Page({ path }: { path: string }) {
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '/overview') return <OverviewPage />;
  if (path === '/forms') return <FormsPage />;
  if ((params = match('/forms/:name', path))) return <FormsPage selected={params.name} />;
  if (path === '/state-machines') return <StateMachinesPage />;
  if ((params = match('/state-machines/:name', path))) return <StateMachinePage name={params.name ?? ''} />;
  if (path === '/executions') return <ExecutionsPage />;
  if ((params = match('/executions/:id', path))) return <ExecutionPage id={params.id ?? ''} />;
  if (path === '/jobs') return <JobsPage />;
  if ((params = match('/jobs/:id', path))) return <JobPage id={params.id ?? ''} />;
  if (path === '/objects' || path.startsWith('/objects/')) return <ObjectsPage />;
  if (path === '/notifications') return <NotificationsPage />;
  return <p>No page here.</p>;
}

export function App() {
  const { path } = useLocation();
  const [session, setSession] = useState<'unknown' | 'yes' | 'no'>('unknown');
  useEffect(() => {
    loadSession().then(
      (ok) => setSession(ok ? 'yes' : 'no'),
      () => setSession('no'),
    );
  }, []);
  if (session === 'unknown') return <p className="muted">Loading…</p>;
  if (session === 'no' || path === '/login') return <LoginPage onLogin={() => { setSession('yes'); navigate('/overview'); }} />;
  const current = path === '/' ? '/overview' : path;
  return (
    <div className="shell">
      <header>
        <span className="brand">Skybatch</span>
        <nav aria-label="Sections">
          {SECTIONS.map(([to, label]) => (
            <Link key={to} to={to} className={current.startsWith(to) ? 'active' : ''}>
              {label}
            </Link>
          ))}
        </nav>
        <button type="button" className="link" onClick={() => void logout().then(() => setSession('no'))}>
          Log out
        </button>
      </header>
      <main>
        <Page path={path} />
      </main>
    </div>
  );
}
