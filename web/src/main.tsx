import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles/base.css';
import './styles/form.css';
import './styles/console.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

render(() => <App />, root);
