import type { Page } from '@playwright/test';

/** The agency (signed in on `agent`) instructs works to Brightspark at its first property, as
 *  the instruct form sends them; answers the server function's answer (`Instructed`: the task's
 *  id and reference). `serviceTasks`: one a line. */
export async function instructToBrightspark(
  agent: Page,
  works: { title: string; priority: string; serviceTasks?: string },
) {
  const choices = await (await agent.request.post('/rpc/tasks/instruct_choices')).json();
  const brightspark = choices.contractors.find((c: { company_name: string }) => c.company_name === 'Brightspark Electrical Ltd');
  const form: Record<string, string> = {
    'works[property_id]': String(choices.properties[0][0]),
    'works[contractor_id]': String(brightspark.id),
    'works[title]': works.title,
    'works[priority]': works.priority,
  };
  if (works.serviceTasks !== undefined) form['works[service_tasks]'] = works.serviceTasks;
  return (await agent.request.post('/rpc/tasks/instruct', { form })).json();
}
