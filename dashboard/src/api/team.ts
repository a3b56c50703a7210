import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type Team = ResponseOf<'/api/v1/team', 'get'>;
export type TeamMember = Team['members'][number];
export type Invite = Team['invites'][number];

export const getTeam = () => data(http.GET('/api/v1/team'));
export const invite = (body: BodyOf<'/api/v1/team/invites', 'post'>) => data(http.POST('/api/v1/team/invites', { body }));
export const revokeInvite = (inviteId: string) => data(http.DELETE('/api/v1/team/invites/{inviteId}', { params: { path: { inviteId } } }));
export const changeRole = (userId: string, body: BodyOf<'/api/v1/team/members/{userId}', 'patch'>) =>
  data(http.PATCH('/api/v1/team/members/{userId}', { params: { path: { userId } }, body }));
export const removeMember = (userId: string) => data(http.DELETE('/api/v1/team/members/{userId}', { params: { path: { userId } } }));
