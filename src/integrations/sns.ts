/*
 * arn:aws:states:::sns:publish on this platform's topics. Parameters as Step Functions takes
 * them: TopicArn (or a plain topic name), Message (a string, or any JSON, sent as its JSON
 * text), Subject, MessageAttributes ({NAME: {DataType, StringValue}}). Output as the SNS
 * Publish response Step Functions returns: {MessageId, SdkHttpMetadata, SdkResponseMetadata}.
 *
 * A task may be dispatched more than once (a server dies mid-task); the task id is the
 * message's dedup key, so a repeated dispatch returns the first MessageId and sends nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Json } from '../asl/types.js';
import { TaskFailure, type TaskRegistry } from '../engine/task-registry.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import type { MessageAttribute, NotificationsService } from '../notify/types.js';

const PUBLISH = /^arn:aws[a-z-]*:states:::sns:publish$/;

export function snsIntegration(notifications: Pick<NotificationsService, 'publish'>): TaskRegistry {
  return (resource) => {
    if (!PUBLISH.test(resource)) return undefined;
    return async (input, invocation) => {
      const params = parameters(input);
      let messageId: string;
      try {
        ({ messageId } = await notifications.publish({ ...params, dedupKey: `task:${invocation.taskId}` }));
      } catch (err) {
        if (err instanceof NotFoundError) throw new TaskFailure('SNS.NotFoundException', err.message);
        if (err instanceof BadRequestError) throw invalid(err.message);
        if (err instanceof PayloadTooLargeError) throw invalid(err.message);
        throw err;
      }
      const requestId = randomUUID();
      return {
        MessageId: messageId,
        SdkHttpMetadata: { HttpHeaders: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: requestId },
      };
    };
  };
}

function invalid(message: string): TaskFailure {
  return new TaskFailure('SNS.InvalidParameterException', message);
}

function parameters(input: Json): { topic: string; message: string; subject?: string; attributes?: Record<string, MessageAttribute> } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('the Parameters of sns:publish must be an object with TopicArn and Message');
  const { TopicArn, TargetArn, Message, Subject, MessageAttributes, PhoneNumber } = input;
  if (PhoneNumber !== undefined) throw invalid('PhoneNumber (SMS) is not supported here; publish to a topic with TopicArn');
  const topic = TopicArn ?? TargetArn;
  if (typeof topic !== 'string') throw invalid('sns:publish needs Parameters.TopicArn: a topic ARN or name');
  if (Message === undefined || Message === null) throw invalid('sns:publish needs Parameters.Message');
  // As Step Functions: a JSON Message is sent as its JSON text.
  const message = typeof Message === 'string' ? Message : JSON.stringify(Message);
  if (Subject !== undefined && typeof Subject !== 'string') throw invalid('Parameters.Subject must be a string');
  if (MessageAttributes !== undefined && (typeof MessageAttributes !== 'object' || MessageAttributes === null || Array.isArray(MessageAttributes))) {
    throw invalid('Parameters.MessageAttributes must be an object of {DataType, StringValue}');
  }
  return {
    topic,
    message,
    ...(Subject === undefined ? {} : { subject: Subject }),
    ...(MessageAttributes === undefined ? {} : { attributes: MessageAttributes as unknown as Record<string, MessageAttribute> }),
  };
}
