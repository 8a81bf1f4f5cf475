/*
 * /api/v1/topics, /subscriptions, /messages, /deliveries: SNS-style topics with email, webhook
 * and file subscriptions. `:topic` is a topic name or ARN (URL-encoded). Publishing answers
 * with the MessageId once the message and its deliveries are stored; delivery happens after,
 * and every attempt shows in /deliveries.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import type { DeliveryStatus, MessageAttribute, NotificationsService } from '../../notify/types.js';
import { PROTOCOLS } from '../../notify/types.js';
import { errorResponse, objectSchema, page, pageQuery, type Schema } from '../schemas.js';

const tag = 'notifications';
const text: Schema = { type: 'string' };
const timestamp: Schema = { type: 'string', format: 'date-time' };

function open(properties: Record<string, Schema>, description: string, required = Object.keys(properties)): Schema {
  return { type: 'object', properties, required, additionalProperties: true, description };
}

const topicNameSchema: Schema = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$', description: '1-256 letters, digits, - or _' };
const topicParams = objectSchema({ topic: { type: 'string', minLength: 1, maxLength: 512, description: 'topic name or ARN' } }, ['topic']);
const topicInfo = open({ name: text, topicArn: text, createdAt: timestamp }, 'a topic');
const subscriptionProps = { subscriptionId: text, subscriptionArn: text, topic: text, topicArn: text, protocol: { type: 'string', enum: [...PROTOCOLS] }, endpoint: text, createdAt: timestamp };
const subscriptionInfo = open(subscriptionProps, 'a subscription');
const createdSubscription = open({ ...subscriptionProps, secret: { type: 'string', description: 'webhooks: the HMAC key of X-Skybatch-Signature, shown only here' } }, 'the new subscription', Object.keys(subscriptionProps));
const attribute = objectSchema({ DataType: { type: 'string', minLength: 1 }, StringValue: text, BinaryValue: text }, ['DataType']);
const attributes: Schema = { type: 'object', additionalProperties: attribute, maxProperties: 10, description: 'MessageAttributes, as SNS takes them' };
const messageInfo = open({ messageId: text, topic: text, topicArn: text, subject: text, message: text, attributes: { type: 'object', additionalProperties: true }, publishedAt: timestamp }, 'a published message', ['messageId', 'topic', 'topicArn', 'message', 'attributes', 'publishedAt']);
const attemptInfo = open({ attempt: { type: 'integer' }, startedAt: timestamp, finishedAt: timestamp, outcome: { type: 'string', enum: ['started', 'delivered', 'error', 'abandoned'] }, error: text }, 'one attempt', ['attempt', 'startedAt', 'outcome']);
const deliveryStatus: Schema = { type: 'string', enum: ['pending', 'delivered', 'failed'] };
const deliveryInfo = open(
  { deliveryId: text, messageId: text, subscriptionId: text, topic: text, status: deliveryStatus, attempts: { type: 'array', items: attemptInfo }, lastError: text, createdAt: timestamp, finishedAt: timestamp },
  'a message sent to one subscription, with every attempt',
  ['deliveryId', 'messageId', 'subscriptionId', 'topic', 'status', 'attempts', 'createdAt'],
);
const topicNotFound = errorResponse('No such topic');

/** Registers nothing when the platform runs no notifications. */
export function notificationRoutes(app: FastifyInstance, platform: Platform): void {
  if (platform.notifications) routes(app, platform.notifications);
}

function routes(app: FastifyInstance, notifications: NotificationsService): void {
  app.post<{ Body: { name: string } }>(
    '/api/v1/topics',
    {
      config: { doc: { operationId: 'createTopic', summary: 'Create a topic', description: 'Creating a topic that exists returns it with 200, as SNS does.', tag } },
      schema: { body: objectSchema({ name: topicNameSchema }, ['name']), response: { 200: { ...topicInfo, description: 'It existed' }, 201: { ...topicInfo, description: 'Created' } } },
    },
    async (request, reply) => {
      const { topic, created } = await notifications.createTopic(request.body.name);
      void reply.code(created ? 201 : 200);
      return topic;
    },
  );

  app.get<{ Querystring: { limit?: number; nextToken?: string } }>(
    '/api/v1/topics',
    { config: { doc: { operationId: 'listTopics', summary: 'List topics', tag } }, schema: { querystring: objectSchema(pageQuery), response: { 200: page(topicInfo, 'a page of topics') } } },
    async (request) => notifications.listTopics(request.query),
  );

  app.get<{ Params: { topic: string } }>(
    '/api/v1/topics/:topic',
    { config: { doc: { operationId: 'describeTopic', summary: 'Describe a topic', tag } }, schema: { params: topicParams, response: { 200: topicInfo, 404: topicNotFound } } },
    async (request) => notifications.describeTopic(request.params.topic),
  );

  app.delete<{ Params: { topic: string } }>(
    '/api/v1/topics/:topic',
    {
      config: { doc: { operationId: 'deleteTopic', summary: 'Delete a topic and its subscriptions; deliveries not yet made end failed', tag } },
      schema: { params: topicParams, response: { 204: { type: 'null', description: 'Deleted' }, 404: topicNotFound } },
    },
    async (request, reply) => {
      await notifications.deleteTopic(request.params.topic);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { topic: string }; Body: { protocol: string; endpoint: string; secret?: string } }>(
    '/api/v1/topics/:topic/subscriptions',
    {
      config: { doc: { operationId: 'subscribe', summary: 'Subscribe an email address, a webhook URL or a JSON-lines file to a topic', tag } },
      schema: {
        params: topicParams,
        body: objectSchema(
          {
            protocol: { type: 'string', enum: [...PROTOCOLS] },
            endpoint: { type: 'string', minLength: 1, maxLength: 2048, description: 'email address, http(s) URL or absolute file path' },
            secret: { type: 'string', minLength: 16, maxLength: 256, description: 'webhooks: the HMAC key (generated when absent)' },
          },
          ['protocol', 'endpoint'],
        ),
        response: { 201: createdSubscription, 400: errorResponse('Bad protocol or endpoint'), 404: topicNotFound },
      },
    },
    async (request, reply) => {
      const subscription = await notifications.subscribe({ topic: request.params.topic, ...request.body });
      void reply.code(201);
      return subscription;
    },
  );

  app.get<{ Querystring: { topic?: string; limit?: number; nextToken?: string } }>(
    '/api/v1/subscriptions',
    {
      config: { doc: { operationId: 'listSubscriptions', summary: 'List subscriptions, of one topic or all', tag } },
      schema: { querystring: objectSchema({ ...pageQuery, topic: { type: 'string', minLength: 1, maxLength: 512 } }), response: { 200: page(subscriptionInfo, 'a page of subscriptions'), 404: topicNotFound } },
    },
    async (request) => notifications.listSubscriptions(request.query),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/subscriptions/:id',
    {
      config: { doc: { operationId: 'unsubscribe', summary: 'Delete a subscription; its deliveries not yet made end failed', tag } },
      schema: { params: objectSchema({ id: { type: 'string', minLength: 1, maxLength: 1024, description: 'subscription id or ARN' } }, ['id']), response: { 204: { type: 'null', description: 'Deleted' }, 404: errorResponse('No such subscription') } },
    },
    async (request, reply) => {
      await notifications.unsubscribe(request.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { topic: string }; Body: { message: string; subject?: string; attributes?: Record<string, MessageAttribute> } }>(
    '/api/v1/topics/:topic/publish',
    {
      config: { doc: { operationId: 'publish', summary: 'Publish a message to every subscription of a topic', tag } },
      schema: {
        params: topicParams,
        body: objectSchema({ message: { type: 'string', minLength: 1, description: 'up to 256 KiB' }, subject: { type: 'string', minLength: 1, maxLength: 100 }, attributes }, ['message']),
        response: { 200: open({ messageId: text }, 'stored; deliveries follow'), 404: topicNotFound, 413: errorResponse('The message is larger than 256 KiB') },
      },
    },
    async (request) => {
      const { messageId } = await notifications.publish({ topic: request.params.topic, ...request.body });
      return { messageId };
    },
  );

  app.get<{ Querystring: { topic?: string; limit?: number; nextToken?: string } }>(
    '/api/v1/messages',
    {
      config: { doc: { operationId: 'listMessages', summary: 'List published messages, newest first', tag } },
      schema: { querystring: objectSchema({ ...pageQuery, topic: { type: 'string', minLength: 1, maxLength: 512 } }), response: { 200: page(messageInfo, 'a page of messages'), 404: topicNotFound } },
    },
    async (request) => notifications.listMessages(request.query),
  );

  app.get<{ Querystring: { topic?: string; messageId?: string; status?: DeliveryStatus; limit?: number; nextToken?: string } }>(
    '/api/v1/deliveries',
    {
      config: { doc: { operationId: 'listDeliveries', summary: 'List deliveries with every attempt, newest first', tag } },
      schema: {
        querystring: objectSchema({ ...pageQuery, topic: { type: 'string', minLength: 1, maxLength: 512 }, messageId: { type: 'string', minLength: 1, maxLength: 64 }, status: deliveryStatus }),
        response: { 200: page(deliveryInfo, 'a page of deliveries'), 404: topicNotFound },
      },
    },
    async (request) => notifications.listDeliveries(request.query),
  );
}
