/*
 * `skybatch topics [list | create NAME | delete NAME]`,
 * `skybatch subscriptions [list [--topic T] | create TOPIC --protocol P --endpoint E [--secret S] | delete ID]`,
 * `skybatch publish TOPIC --message TEXT|@file [--subject S] [--attribute NAME=VALUE ...]` (prints the MessageId),
 * `skybatch deliveries list [--topic T] [--message-id ID] [--status S]` with every attempt.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CreatedSubscription, DeliveryInfo, MessageAttribute, SubscriptionInfo, TopicInfo } from '../../notify/types.js';
import { connect, listAll, segment } from '../client.js';
import { CliError, EXIT_USAGE, describeError, printJson, printTable, type GlobalOptions } from '../output.js';

type Done = (exitCode: number) => void;

interface SubscribeOptions extends GlobalOptions {
  protocol: string;
  endpoint: string;
  secret?: string;
}

interface PublishOptions extends GlobalOptions {
  message: string;
  subject?: string;
  attribute?: string[];
}

interface DeliveriesOptions extends GlobalOptions {
  topic?: string;
  messageId?: string;
  status?: string;
  limit?: string;
}

export function registerNotificationCommands(program: Command, done: Done): void {
  const wrap =
    <A extends string[], O>(run: (...args: [...A, O]) => Promise<number>) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      done(await run(...(received.slice(0, -2) as A), command.optsWithGlobals() as O));
    };
  const collect = (value: string, previous: string[] = []) => [...previous, value];

  const topics = program.command('topics').description('create, list and delete notification topics');
  topics.command('list', { isDefault: true }).description('list topics (the default)').action(wrap<[], GlobalOptions>(listTopics));
  topics.command('create').description('create a topic (creating one that exists returns it)').argument('<name>', 'topic name').action(wrap<[string], GlobalOptions>(createTopic));
  topics.command('delete').description('delete a topic and its subscriptions').argument('<name>', 'topic name or ARN').action(wrap<[string], GlobalOptions>(deleteTopic));

  const subs = program.command('subscriptions').description('subscribe email addresses, webhooks and files to topics');
  subs.command('list', { isDefault: true }).description('list subscriptions (the default)').option('--topic <topic>', 'only those of this topic').action(wrap<[], GlobalOptions & { topic?: string }>(listSubscriptions));
  subs
    .command('create')
    .description('subscribe an endpoint to a topic; prints the subscription (and a webhook\'s secret, shown only once)')
    .argument('<topic>', 'topic name or ARN')
    .requiredOption('--protocol <protocol>', 'email, webhook or file')
    .requiredOption('--endpoint <endpoint>', 'email address, http(s) URL or absolute path of a JSON-lines file')
    .option('--secret <secret>', 'webhooks: HMAC key of X-Skybatch-Signature (16+ characters; generated when absent)')
    .action(wrap<[string], SubscribeOptions>(subscribe));
  subs.command('delete').description('delete a subscription').argument('<id>', 'subscription id or ARN').action(wrap<[string], GlobalOptions>(unsubscribe));

  program
    .command('publish')
    .description('publish a message to a topic; prints the MessageId')
    .argument('<topic>', 'topic name or ARN')
    .requiredOption('--message <text>', 'the message, or @path to read it from a file')
    .option('--subject <subject>', 'subject (email subject line)')
    .option('--attribute <name=value>', 'a String message attribute; repeatable', collect)
    .action(wrap<[string], PublishOptions>(publish));

  const deliveries = program.command('deliveries').description('show deliveries of published messages, with every attempt');
  deliveries
    .command('list', { isDefault: true })
    .description('list deliveries, newest first (the default)')
    .option('--topic <topic>', 'only those of this topic')
    .option('--message-id <id>', 'only those of this message')
    .option('--status <status>', 'pending, delivered or failed')
    .option('--limit <n>', 'show at most N deliveries', '100')
    .action(wrap<[], DeliveriesOptions>(listDeliveries));
}

export async function listTopics(options: GlobalOptions): Promise<number> {
  const items = await listAll<TopicInfo>(await connect(options.data), '/topics', {});
  if (options.json) printJson(items);
  else printTable(['NAME', 'ARN', 'CREATED'], items.map((t) => [t.name, t.topicArn, t.createdAt]));
  return 0;
}

export async function createTopic(name: string, options: GlobalOptions): Promise<number> {
  const { status, body } = await (await connect(options.data)).send<TopicInfo>('POST', '/topics', { name });
  if (options.json) printJson(body);
  else process.stdout.write(`${status === 201 ? 'created' : 'exists'}: ${body.topicArn}\n`);
  return 0;
}

export async function deleteTopic(name: string, options: GlobalOptions): Promise<number> {
  await (await connect(options.data)).delete(`/topics/${segment(name)}`);
  if (options.json) printJson({ name, deleted: true });
  else process.stdout.write(`deleted topic ${name}\n`);
  return 0;
}

export async function listSubscriptions(options: GlobalOptions & { topic?: string }): Promise<number> {
  const items = await listAll<SubscriptionInfo>(await connect(options.data), '/subscriptions', { topic: options.topic });
  if (options.json) printJson(items);
  else printTable(['ID', 'TOPIC', 'PROTOCOL', 'ENDPOINT'], items.map((s) => [s.subscriptionId, s.topic, s.protocol, s.endpoint]));
  return 0;
}

export async function subscribe(topic: string, options: SubscribeOptions): Promise<number> {
  const body = { protocol: options.protocol, endpoint: options.endpoint, ...(options.secret === undefined ? {} : { secret: options.secret }) };
  const created = await (await connect(options.data)).post<CreatedSubscription>(`/topics/${segment(topic)}/subscriptions`, body);
  if (options.json) printJson(created);
  else {
    process.stdout.write(`${created.subscriptionId}\n`);
    if (created.secret !== undefined) process.stderr.write(`webhook secret (shown only now): ${created.secret}\n`);
  }
  return 0;
}

export async function unsubscribe(id: string, options: GlobalOptions): Promise<number> {
  await (await connect(options.data)).delete(`/subscriptions/${segment(id)}`);
  if (options.json) printJson({ subscriptionId: id, deleted: true });
  else process.stdout.write(`deleted subscription ${id}\n`);
  return 0;
}

export async function publish(topic: string, options: PublishOptions): Promise<number> {
  let message = options.message;
  if (message.startsWith('@')) {
    try {
      message = await readFile(message.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(EXIT_USAGE, `cannot read --message file ${message.slice(1)}: ${describeError(err)}`);
    }
  }
  const attributes: Record<string, MessageAttribute> = {};
  for (const pair of options.attribute ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(EXIT_USAGE, `--attribute "${pair}" must be NAME=VALUE`);
    attributes[pair.slice(0, at)] = { DataType: 'String', StringValue: pair.slice(at + 1) };
  }
  const body = { message, ...(options.subject === undefined ? {} : { subject: options.subject }), ...(options.attribute === undefined ? {} : { attributes }) };
  const result = await (await connect(options.data)).post<{ messageId: string }>(`/topics/${segment(topic)}/publish`, body);
  if (options.json) printJson(result);
  else process.stdout.write(`${result.messageId}\n`);
  return 0;
}

export async function listDeliveries(options: DeliveriesOptions): Promise<number> {
  const max = Number(options.limit ?? '100');
  if (!Number.isInteger(max) || max < 1) throw new CliError(EXIT_USAGE, `--limit must be a positive whole number, got "${options.limit}"`);
  const query = { topic: options.topic, messageId: options.messageId, status: options.status };
  const items = await listAll<DeliveryInfo>(await connect(options.data), '/deliveries', query, max);
  if (options.json) {
    printJson(items);
    return 0;
  }
  printTable(
    ['DELIVERY', 'MESSAGE', 'TOPIC', 'STATUS', 'ATTEMPTS', 'LAST ERROR'],
    items.map((d) => [d.deliveryId, d.messageId, d.topic, d.status, d.attempts.length, d.lastError]),
  );
  return 0;
}
