import { expect, type Page } from '@playwright/test';
import { expectHydrated } from './fixtures';

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

/** The office (signed in on `office`) adds a technician to its team, as the Team page's form
 *  sends it; the team emails them a sign-in link. */
export async function addTechnician(office: Page, name: string, email: string) {
  const added = await office.request.post('/rpc/team/add', {
    form: { 'technician[name]': name, 'technician[email]': email },
  });
  expect(added.ok()).toBe(true);
}

/** The office, on the Desk task page, adds a new technician to its team and accepts the task
 *  with them. */
export async function acceptWithNewTechnician(office: Page, name: string, email: string) {
  await addTechnician(office, name, email);
  await office.reload();
  await expectHydrated(office);
  const actions = office.getByRole('region', { name: 'Actions' });
  await actions.getByRole('checkbox', { name: new RegExp(name) }).check();
  await actions.getByRole('button', { name: 'Accept' }).click();
  await expect(office.getByTestId('task-technicians')).toHaveText(name);
}
