/*
 * One transport per subscription protocol. A transport sends one message to one endpoint and
 * throws when it could not; the dispatcher records the attempt and decides about retries.
 * Transports own their connections (the SMTP pool) and release them in close().
 */
import type { MessageInfo, SubscriptionInfo } from '../types.js';

export interface Delivery {
  deliveryId: string;
  message: MessageInfo;
  subscription: SubscriptionInfo;
  /** Webhooks only: the HMAC key. */
  secret?: string;
  signal: AbortSignal;
}

export interface Transport {
  send(delivery: Delivery): Promise<void>;
  close?(): void;
}

/**
 * The JSON document a webhook or file receives: the fields of an SNS HTTP notification, so
 * code written for SNS reads it unchanged (without SNS's certificate signature; webhooks are
 * signed with the subscription's secret instead).
 */
export function notificationDocument(delivery: Delivery): Record<string, unknown> {
  const { message } = delivery;
  return {
    Type: 'Notification',
    MessageId: message.messageId,
    TopicArn: message.topicArn,
    ...(message.subject === undefined ? {} : { Subject: message.subject }),
    Message: message.message,
    Timestamp: message.publishedAt,
    MessageAttributes: Object.fromEntries(Object.entries(message.attributes).map(([name, a]) => [name, { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue }])),
    SubscriptionArn: delivery.subscription.subscriptionArn,
  };
}
