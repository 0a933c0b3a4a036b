import { describe, expect, it } from 'vitest';
import { type VersionActionInput, listVersionActions } from './quote-actions.ts';

const base: VersionActionInput = { status: 'draft', isLatest: true, canWrite: true, isQuoteOpen: true };

describe('listVersionActions', () => {
  it('a draft is saved and submitted; it is sent directly only once the preview says no approval is needed', () => {
    expect(listVersionActions(base)).toEqual(['save', 'submit']);
    expect(listVersionActions({ ...base, approvalRequired: true })).toEqual(['save', 'submit']);
    expect(listVersionActions({ ...base, approvalRequired: false })).toEqual(['save', 'submit', 'send']);
  });

  it('a version in approval offers only recall, and only to whoever may recall it', () => {
    expect(listVersionActions({ ...base, status: 'in_approval' })).toEqual([]);
    expect(listVersionActions({ ...base, status: 'in_approval', canRecall: true })).toEqual(['recall']);
  });

  it('approved versions are sent or accepted, sent ones accepted; both start a new version only when they are the latest', () => {
    expect(listVersionActions({ ...base, status: 'approved' })).toEqual(['send', 'accept', 'newVersion']);
    expect(listVersionActions({ ...base, status: 'sent' })).toEqual(['accept', 'newVersion']);
    expect(listVersionActions({ ...base, status: 'sent', isLatest: false })).toEqual(['accept']);
    expect(listVersionActions({ ...base, status: 'rejected' })).toEqual(['newVersion']);
  });

  it('superseded versions offer nothing; accepted ones lead to their contract, whoever reads them', () => {
    expect(listVersionActions({ ...base, status: 'superseded' })).toEqual([]);
    expect(listVersionActions({ ...base, status: 'accepted', canWrite: false })).toEqual(['contract']);
  });

  it('readers without write access and closed quotes get no actions', () => {
    expect(listVersionActions({ ...base, canWrite: false })).toEqual([]);
    expect(listVersionActions({ ...base, status: 'sent', isQuoteOpen: false })).toEqual([]);
  });
});
