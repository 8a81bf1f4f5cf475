/*
 * What the notification service offers the API, the CLI, the sns:publish integration and
 * object events. Shapes follow SNS (TopicArn, MessageId, MessageAttributes) in camelCase.
 */
import type { Page } from '../engine/types.js';

export type Protocol = 'email' | 'webhook' | 'file';
export const PROTOCOLS: readonly Protocol[] = ['email', 'webhook', 'file'];

export interface TopicInfo {
  name: string;
  topicArn: string;
  createdAt: string;
}

export interface SubscriptionInfo {
  subscriptionId: string;
  /** `TOPIC_ARN:ID`, as SNS forms subscription ARNs. */
  subscriptionArn: string;
  topic: string;
  topicArn: string;
  protocol: Protocol;
  /** The address, URL or file path. */
  endpoint: string;
  createdAt: string;
}

/** The secret is shown once, when the webhook subscription is created. */
export interface CreatedSubscription extends SubscriptionInfo {
  secret?: string;
}

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface PublishRequest {
  /** Topic name or ARN. */
  topic: string;
  message: string;
  subject?: string;
  attributes?: Record<string, MessageAttribute>;
  /** A repeated publish with the same key returns the first message instead of sending again. */
  dedupKey?: string;
}

export interface MessageInfo {
  messageId: string;
  topic: string;
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, MessageAttribute>;
  publishedAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  /** started: in flight (or its server died); abandoned: its lease ran out. */
  outcome: 'started' | 'delivered' | 'error' | 'abandoned';
  error?: string;
}

export interface DeliveryInfo {
  deliveryId: string;
  messageId: string;
  subscriptionId: string;
  topic: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  lastError?: string;
  createdAt: string;
  finishedAt?: string;
}

export interface NotificationsService {
  createTopic(name: string): Promise<{ topic: TopicInfo; created: boolean }>;
  describeTopic(nameOrArn: string): Promise<TopicInfo>;
  listTopics(options?: { limit?: number; nextToken?: string }): Promise<Page<TopicInfo>>;
  /** Also removes its subscriptions; undelivered messages end failed. */
  deleteTopic(nameOrArn: string): Promise<void>;
  /** Throws NotFoundError for an unknown topic, BadRequestError for a bad protocol or endpoint. */
  subscribe(request: { topic: string; protocol: string; endpoint: string; secret?: string }): Promise<CreatedSubscription>;
  listSubscriptions(options?: { topic?: string; limit?: number; nextToken?: string }): Promise<Page<SubscriptionInfo>>;
  unsubscribe(idOrArn: string): Promise<void>;
  /** Stores the message and one delivery per subscription in one transaction. */
  publish(request: PublishRequest): Promise<{ messageId: string; created: boolean }>;
  listMessages(options?: { topic?: string; limit?: number; nextToken?: string }): Promise<Page<MessageInfo>>;
  listDeliveries(options?: { topic?: string; messageId?: string; status?: DeliveryStatus; limit?: number; nextToken?: string }): Promise<Page<DeliveryInfo>>;
}
