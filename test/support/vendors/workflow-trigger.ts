/**
 * A workflow engine's webhook trigger, as n8n documents its Webhook node
 * (https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/), with the
 * Zapier "Catch Hook" answer as an alternative response:
 * - `POST /webhook/<path>` starts the workflow registered at that path; an unknown path is 404
 *   `{ code: 404, message: 'The requested webhook "POST x" is not registered.', hint }`, and a
 *   method the webhook was not registered for is 404 "This webhook is not registered for HEAD
 *   requests. Did you mean to make a POST request?".
 * - Header auth: a missing or wrong header is 403 "Authorization data is wrong!".
 * - The answer depends on the node's "Respond" setting: `immediately` gives
 *   `{ "message": "Workflow was started" }`; a Respond to Webhook node can answer anything,
 *   e.g. `{ "executionId": "1234", "status": "running" }`; Zapier answers
 *   `{ attempt, id, request_id, status: "success" }`. A failing workflow set to answer when
 *   the last node finishes gives 500 `{ "message": "Error in workflow" }`.
 */
import { randomUUID } from 'node:crypto';
import { jsonBody, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export type Respond = 'immediately' | 'execution-id' | 'zapier' | 'fails' | { nested: true };

export interface WorkflowTriggerOptions {
  headerName: string;
  headerValue: string;
  /** Registered webhook paths (the workflow ids in the trigger URL) and how each answers. */
  workflows: Record<string, Respond>;
  method?: string;
}

export interface Run {
  workflowId: string;
  executionId: string;
  input: unknown;
  headers: RecordedRequest['headers'];
}

export interface WorkflowTrigger extends HttpDouble {
  readonly runs: Run[];
  readonly options: WorkflowTriggerOptions;
  /** `http://127.0.0.1:<port>/webhook/{workflowId}` */
  readonly triggerUrl: string;
}

export async function startWorkflowTrigger(initial: WorkflowTriggerOptions): Promise<WorkflowTrigger> {
  const options = { ...initial };
  const runs: Run[] = [];
  let nextExecution = 1000;

  const handle = (request: RecordedRequest): Reply => {
    const match = /^\/webhook\/([^/]+)$/.exec(request.path);
    const workflowId = match ? decodeURIComponent(match[1] ?? '') : undefined;
    const respond = workflowId === undefined ? undefined : options.workflows[workflowId];
    const method = options.method ?? 'POST';
    if (respond === undefined) {
      return {
        status: 404,
        body: {
          code: 404,
          message: `The requested webhook "${request.method} ${workflowId ?? request.path}" is not registered.`,
          hint: "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)",
        },
      };
    }
    if (request.method !== method) {
      return { status: 404, body: { code: 404, message: `This webhook is not registered for ${request.method} requests. Did you mean to make a ${method} request?` } };
    }
    if (request.headers[options.headerName.toLowerCase()] !== options.headerValue) {
      return { status: 403, body: 'Authorization data is wrong!' };
    }
    const executionId = String(nextExecution++);
    runs.push({ workflowId: workflowId ?? '', executionId, input: jsonBody(request), headers: request.headers });
    if (respond === 'immediately') return { status: 200, body: { message: 'Workflow was started' } };
    if (respond === 'execution-id') return { status: 200, body: { executionId, status: 'running' } };
    if (respond === 'zapier') {
      const id = randomUUID();
      return { status: 200, body: { attempt: id, id, request_id: id, status: 'success' } };
    }
    if (respond === 'fails') return { status: 500, body: { message: 'Error in workflow' } };
    return { status: 200, body: { data: { runs: [{ id: `run-${executionId}`, state: 'queued' }] } } };
  };

  const double = await startHttpDouble(handle);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    runs.length = 0;
  };
  return Object.assign(double, { runs, options, triggerUrl: `${double.url}/webhook/{workflowId}` });
}
