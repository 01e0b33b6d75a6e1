import { describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { validateRpc } from './rpc-error.js';

class Name {
  @IsString() @MaxLength(5) nl!: string;
}

class Request {
  @IsString() @Matches(/^\/webhooks\//) path!: string;
  @IsObject() params!: Record<string, string>;
  @IsInt() @Min(1) count!: number;
  @ValidateNested() @Type(() => Name) name!: Name;
}

const valid = { path: '/webhooks/twilio/status', params: { MessageStatus: 'sent' }, count: 2, name: { nl: 'kort' } };

const refusal = (data: unknown): unknown => {
  try {
    validateRpc(Request, data);
  } catch (error) {
    expect(error).toBeInstanceOf(RpcException);
    return (error as RpcException).getError();
  }
  throw new Error('expected a refusal');
};

describe('validateRpc', () => {
  it('gives a valid request back as an instance of its class, nested objects too', () => {
    const request = validateRpc(Request, valid);
    expect(request).toBeInstanceOf(Request);
    expect(request.name).toBeInstanceOf(Name);
    expect(request).toEqual(Object.assign(new Request(), { ...valid, name: Object.assign(new Name(), valid.name) }));
  });

  it.each([
    ['path', { ...valid, path: '/elders' }],
    ['params', { ...valid, params: 'MessageStatus=sent' }],
    ['count', { ...valid, count: 0 }],
    ['count', { ...valid, count: '2' }],
    ['name', { ...valid, name: { nl: 'veel te lang' } }],
    ['name', { ...valid, name: 'kort' }],
  ])('refuses a bad %s with a 400 that names it, in Dutch and English', (field, data) => {
    expect(refusal(data)).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      field,
      message: expect.stringMatching(new RegExp(`^${field}: `)) as unknown,
      messageNl: `${field}: ongeldige waarde`,
    });
  });
});
