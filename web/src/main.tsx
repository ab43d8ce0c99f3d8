import { Navigate, Route, Router } from '@solidjs/router';
import { render } from 'solid-js/web';
import { DemoFormPage } from './demo/DemoFormPage.tsx';
import { AppShell } from './AppShell.tsx';
import './styles/base.css';
import './styles/form.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

render(
  () => (
    <Router root={AppShell}>
      {/* Temporary: the form renderer's demo until the GraphQL-backed screens exist. */}
      <Route path="/demo/form" component={DemoFormPage} />
      <Route path="*" component={() => <Navigate href="/demo/form" />} />
    </Router>
  ),
  root,
);
