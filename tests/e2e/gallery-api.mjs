// The officials' side of the gallery's story, through the HTTP API as the app sends it: a
// nomination taken from submission to a determined award, and the publication.
import assert from 'node:assert/strict';
import {
  api, createNomination, demoPdf, expectStatus, newKey, nominationForm, tokenFor, topSheet,
} from './helpers.mjs';

/** Today in Jakarta (UTC+7), `YYYY-MM-DD`: a decree may not be dated later. */
const jakartaToday = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);

/**
 * The current round determined with one award: a nomination of Kota Semarang named `ikm`,
 * submitted with its bundle (its product photo included), passed by the secretariat, scored at
 * the top by penilai-1, the recommendation locked, the decree's PDF sent on its presigned PUT
 * and the determination made by the admin. Answers `{ round, award, decree }` (the award's id
 * is the nomination's).
 */
export async function determineFreshRound(base, ikm, decreeNumber) {
  const admin = await tokenFor(base, 'admin');
  const round = expectStatus(await api(base, 'GET', '/rounds', { token: admin }), 200, 'rounds').items[0];
  const office = await tokenFor(base, 'dinas-semarang');
  const form = nominationForm(round.id, '33.74', ikm);
  const nomination = await createNomination(base, office, form, { submit: true });

  const desk = await tokenFor(base, 'sekretariat');
  const checklist = expectStatus(await api(base, 'GET', `/nominations/${nomination.id}/documents`, { token: desk }), 200, 'checklist');
  const findings = checklist.entries.filter((e) => e.need === 'required').map((e) => ({ document: e.document, finding: 'valid' }));
  expectStatus(await api(base, 'POST', `/nominations/${nomination.id}/verification`, {
    token: desk, headers: { 'Idempotency-Key': newKey() }, body: { findings, decision: 'pass' },
  }), 201, 'the secretariat passes it');

  expectStatus(await api(base, 'PUT', `/rounds/${round.id}/panels`, {
    token: admin,
    body: {
      panels: [{
        id: 'jateng', name: 'Panel Jawa Tengah', scope: { kind: 'province', province: '33' },
        members: [{ user_id: 'penilai-1', name: 'Dr. Ratna' }],
      }],
    },
  }), 200, 'panels');
  const rubric = expectStatus(await api(base, 'POST', `/rounds/${round.id}/rubrics/${form.product.commodity}/proposed`, { token: admin }), 201, 'rubric');
  expectStatus(await api(base, 'PUT', `/nominations/${nomination.id}/assessors/penilai-1`, {
    token: admin, body: { panel: 'jateng' },
  }), 201, 'assignment');
  const assessor = await tokenFor(base, 'penilai-1');
  expectStatus(await api(base, 'POST', `/nominations/${nomination.id}/score/submit`, {
    token: assessor, headers: { 'Idempotency-Key': newKey() }, body: topSheet(rubric),
  }), 200, 'the score sheet');
  expectStatus(await api(base, 'POST', `/rounds/${round.id}/recommendation`, {
    token: admin, headers: { 'Idempotency-Key': newKey() },
  }), 201, 'the lock');

  // The decree: its PDF straight to the uploads bucket, then the determination naming it.
  const pdf = demoPdf(['Keputusan Menteri Perindustrian', `Nomor ${decreeNumber}`]);
  const upload = expectStatus(await api(base, 'POST', `/rounds/${round.id}/decree/upload`, {
    token: admin, body: { size: pdf.length },
  }), 200, 'the decree upload');
  const headers = Object.fromEntries(Object.entries(upload.request.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
  const sent = await fetch(upload.request.url, { method: upload.request.method, headers, body: pdf });
  assert.equal(sent.status, 200, `sending the decree: ${await sent.text()}`);
  const decree = { number: decreeNumber, date: jakartaToday(), signer: 'Menteri Perindustrian' };
  expectStatus(await api(base, 'POST', `/rounds/${round.id}/determination`, {
    token: admin, headers: { 'Idempotency-Key': newKey() }, body: { decree, document_key: upload.key },
  }), 201, 'the determination');
  return { round, award: nomination.id, decree };
}

/** `POST /publication` as the admin: answers the report. */
export async function publish(base) {
  const admin = await tokenFor(base, 'admin');
  return expectStatus(await api(base, 'POST', '/publication', { token: admin }), 200, 'the publication');
}
