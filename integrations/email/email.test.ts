import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { mailpitInbox, type MailpitInbox } from '../../test/support/mailpit-inbox';
import { startMailpit, type RunningMailpit } from '../../tools/mailpit';
import { EmailSendError, createSmtpMailer, type Mailer } from './mailer';
import { invitationEmail, needsHumanEmail, passwordResetEmail, verificationEmail, type EmailContent } from './messages';

const FROM = 'AutoCloser <no-reply@autocloser.test>';
const expiresAt = new Date('2026-12-01T15:30:00Z');
const recipient = (name: string) => `${name}-${randomBytes(4).toString('hex')}@shop.test`;

describe('email through SMTP into a real Mailpit', () => {
  let mailpit: RunningMailpit;
  let inbox: MailpitInbox;
  let mailer: Mailer;

  before(async () => {
    mailpit = await startMailpit({ smtpPort: 0, uiPort: 0, extraArgs: ['--enable-chaos'] });
    inbox = mailpitInbox(mailpit.apiUrl);
    mailer = createSmtpMailer({ url: mailpit.smtpUrl, from: FROM });
  });
  after(async () => {
    mailer?.close();
    await mailpit?.stop();
  });
  afterEach(() => inbox.setChaos({ Sender: { ErrorCode: 451, Probability: 0 }, Recipient: { ErrorCode: 451, Probability: 0 } }));

  async function deliver(content: EmailContent, to = recipient('member')) {
    await mailer.send({ to, ...content });
    return inbox.only(to);
  }

  test('a team invitation in English: subject, both parts, the link, the role and the expiry', async () => {
    const acceptUrl = 'https://app.autocloser.test/invite/accept?token=inv_abc123&x=1';
    const to = recipient('invitee');
    const msg = await deliver(invitationEmail('en', { merchantName: 'Kahve Dünyası', inviterName: 'Ayşe Yılmaz', role: 'agent', acceptUrl, expiresAt }), to);

    assert.equal(msg.Subject, 'You are invited to join Kahve Dünyası');
    assert.equal(msg.From.Address, 'no-reply@autocloser.test');
    assert.deepEqual(msg.To.map((a) => a.Address), [to]);
    assert.match(msg.Text, /Ayşe Yılmaz invited you to the Kahve Dünyası team as Agent\./);
    assert.ok(msg.Text.includes(acceptUrl), 'the text part carries the raw link');
    assert.match(msg.Text, /This link expires on 1 December 2026 at 15:30 UTC\./);
    // The query string's & is escaped in the attribute and decoded back by any HTML parser.
    assert.ok(msg.HTML.includes(`href="${acceptUrl.replace('&', '&#38;')}"`), msg.HTML);
    assert.match(msg.HTML, /<html lang="en">/);
    assert.match(msg.HTML, />Accept the invitation</);
    assert.equal(msg.ListUnsubscribe.Header, '', 'a transactional email offers no unsubscribe');
  });

  test('a password reset in Turkish: single-use link, expiry in Turkish, the "not you" line in both parts', async () => {
    const resetUrl = 'https://app.autocloser.test/reset?token=pr_9f8e7d';
    const msg = await deliver(passwordResetEmail('tr', { resetUrl, expiresAt, timeZone: 'Europe/Istanbul' }));

    assert.equal(msg.Subject, 'Şifrenizi sıfırlayın');
    for (const part of [msg.Text, msg.HTML]) {
      assert.ok(part.includes('Bu isteği siz yapmadıysanız bu e-postayı yok sayın: şifreniz değişmez.'), part);
      assert.ok(part.includes('Bağlantı yalnızca bir kez çalışır.'), part);
      assert.ok(part.includes(resetUrl), part);
      // 15:30 UTC is 18:30 in Istanbul (UTC+3 all year).
      assert.match(part, /1 Aralık 2026 18:30/);
    }
    assert.match(msg.HTML, /<html lang="tr">/);
  });

  test('a password reset in English says "if this wasn\'t you"', async () => {
    const msg = await deliver(passwordResetEmail('en', { resetUrl: 'https://app.autocloser.test/reset?token=pr_1', expiresAt }));
    assert.equal(msg.Subject, 'Reset your password');
    assert.ok(msg.Text.includes('If this wasn’t you, ignore this email'));
    assert.ok(msg.HTML.includes('If this wasn’t you, ignore this email'));
  });

  test('email verification in both languages', async () => {
    const verifyUrl = 'https://app.autocloser.test/verify?token=ev_42';
    const english = await deliver(verificationEmail('en', { verifyUrl, expiresAt }));
    const turkish = await deliver(verificationEmail('tr', { verifyUrl, expiresAt }));
    assert.equal(english.Subject, 'Confirm your email address');
    assert.equal(turkish.Subject, 'E-posta adresinizi doğrulayın');
    for (const msg of [english, turkish]) {
      assert.ok(msg.Text.includes(verifyUrl));
      assert.ok(msg.HTML.includes(`href="${verifyUrl}"`));
    }
    assert.match(turkish.Text, /Adresimi doğrula:\r?\nhttps:/);
  });

  test('a needs-human alert escapes a hostile customer name and carries List-Unsubscribe', async () => {
    const hostile = '<script>alert("x")</script> & <b>Bob</b>\r\nBcc: victim@example.com';
    const conversationUrl = 'https://app.autocloser.test/m/conversations/c_77';
    const preferencesUrl = 'https://app.autocloser.test/m/settings/notifications';
    const msg = await deliver(
      needsHumanEmail('en', { merchantName: 'Shop <One>', customerName: hostile, reason: 'asked_for_person', conversationUrl, preferencesUrl }),
    );

    // The line break in the name becomes a space and a long name is cut: no header can be injected through the subject.
    assert.equal(msg.Subject, '<script>alert("x")</script> & <b>Bob</b> Bcc: victim@exampl… needs a person (Shop <One>)');
    assert.equal(msg.headers.Bcc, undefined);
    assert.ok(!msg.HTML.includes('<script>'), 'no live script tag');
    assert.ok(!msg.HTML.includes('<b>Bob'), 'no markup from the name');
    assert.ok(msg.HTML.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;Bob&#60;/b&#62;'), msg.HTML);
    assert.ok(msg.HTML.includes('Shop &#60;One&#62;'));
    assert.ok(msg.Text.includes('<script>alert("x")</script> & <b>Bob</b> Bcc: victim@example.com is waiting for someone from Shop <One>'));
    assert.ok(msg.Text.includes('Why: The customer asked for a person.'));
    assert.ok(msg.Text.includes(conversationUrl));
    assert.ok(msg.HTML.includes(`href="${conversationUrl}"`));
    assert.deepEqual(msg.ListUnsubscribe.Links, [preferencesUrl]);
  });

  test('a needs-human alert in Turkish names the reason in Turkish, and an unknown reason as given', async () => {
    const conversationUrl = 'https://app.autocloser.test/m/conversations/c_78';
    const known = await deliver(needsHumanEmail('tr', { merchantName: 'Kahve', customerName: 'Mehmet', reason: 'payment_disputed', conversationUrl }));
    assert.equal(known.Subject, 'Mehmet bir yetkiliyle görüşmek istiyor (Kahve)');
    assert.ok(known.Text.includes('Neden: Bir ödemeye itiraz edildi.'));
    assert.ok(known.HTML.includes('Konuşmayı aç'));

    const free = await deliver(needsHumanEmail('en', { merchantName: 'Kahve', customerName: 'Mehmet', reason: 'wants <wholesale> pricing', conversationUrl }));
    assert.ok(free.Text.includes('Why: wants <wholesale> pricing'));
    assert.ok(free.HTML.includes('Why: wants &#60;wholesale&#62; pricing'));
  });

  test('a temporary SMTP rejection is retryable, a permanent one is not', async () => {
    const content = verificationEmail('en', { verifyUrl: 'https://app.autocloser.test/verify?token=x', expiresAt });

    await inbox.setChaos({ Recipient: { ErrorCode: 451, Probability: 100 } });
    const temporary = await mailer.send({ to: recipient('later'), ...content }).then(() => null, (e: unknown) => e);
    assert.ok(temporary instanceof EmailSendError, String(temporary));
    assert.equal(temporary.responseCode, 451);
    assert.equal(temporary.retryable, true);

    await inbox.setChaos({ Recipient: { ErrorCode: 550, Probability: 100 } });
    const to = recipient('never');
    const permanent = await mailer.send({ to, ...content }).then(() => null, (e: unknown) => e);
    assert.ok(permanent instanceof EmailSendError, String(permanent));
    assert.equal(permanent.responseCode, 550);
    assert.equal(permanent.retryable, false);
    assert.equal((await inbox.to(to)).length, 0);
  });

  test('an unreachable server is a retryable failure', async () => {
    const dead = createSmtpMailer({ url: 'smtp://127.0.0.1:1', from: FROM });
    try {
      const err = await dead.send({ to: recipient('x'), subject: 's', html: '<p>h</p>', text: 't' }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof EmailSendError);
      assert.equal(err.retryable, true);
    } finally {
      dead.close();
    }
  });
});

describe('email builders', () => {
  test('refuse a link that is not http(s)', () => {
    assert.throws(() => verificationEmail('en', { verifyUrl: 'javascript:alert(1)', expiresAt }), /http\(s\)/);
  });

  test('every language has a plain-text part with the link', () => {
    for (const language of ['en', 'tr'] as const) {
      const mail = invitationEmail(language, { merchantName: 'M', inviterName: 'I', role: 'owner', acceptUrl: 'https://a.test/i', expiresAt });
      assert.ok(mail.text.includes('https://a.test/i'));
      assert.ok(!/<[a-z]/i.test(mail.text), 'no markup in the text part');
    }
  });
});
