// Email reader: MIME decoding, charsets, HTML flattening, malformed input.
#include "attn/data/email.h"

#include <gtest/gtest.h>

#include <string>

#include "attn/data/charset.h"
#include "attn/data/html_text.h"
#include "attn/data/mime.h"
#include "attn/data/utf8.h"

namespace attn {
namespace {

TEST(EmailQuotedPrintable, SoftBreaksAndHexEscapes) {
  EXPECT_EQ(decode_quoted_printable("caf=E9 =3D ok=\nay=20\n"), "caf\xE9 = okay \n");
  // Soft break with trailing blanks after '=', lower-case hex, stray '='.
  EXPECT_EQ(decode_quoted_printable("a= \t\nb=c3=a9 1=2"), "ab\xC3\xA9 1=2");
  EXPECT_EQ(decode_quoted_printable("end="), "end");
  EXPECT_EQ(decode_quoted_printable("a_b", true), "a b");
}

TEST(EmailBase64, LineBreaksPaddingAndJunk) {
  EXPECT_EQ(decode_base64("SGVsbG8s\nIHdv\r\ncmxkIQ=="), "Hello, world!");
  EXPECT_EQ(decode_base64("SGV*sbG8#"), "Hello");  // junk skipped, no padding
  EXPECT_EQ(decode_base64("QQ==QkM="), "ABC");     // concatenated padded chunks
  EXPECT_EQ(decode_base64(""), "");
}

TEST(EmailRfc2047, DecodesBAndQWords) {
  std::size_t replaced = 0;
  EXPECT_EQ(decode_rfc2047("=?UTF-8?B?w6l0w6k=?= plain", &replaced), "\xC3\xA9t\xC3\xA9 plain");
  EXPECT_EQ(decode_rfc2047("=?iso-8859-1?Q?Caf=E9_cr=E8me?=", &replaced),
            "Caf\xC3\xA9 cr\xC3\xA8me");
  // Whitespace between adjacent encoded-words disappears; a split UTF-8 char rejoins.
  EXPECT_EQ(decode_rfc2047("=?utf-8?Q?a=C3?=  \t =?utf-8?Q?=A9b?=", &replaced),
            "a\xC3\xA9"
            "b");
  // Malformed words stay literal.
  EXPECT_EQ(decode_rfc2047("=?bad =?x?Z?y?=", &replaced), "=?bad =?x?Z?y?=");
  EXPECT_EQ(replaced, 0u);
}

TEST(EmailCharset, ConvertsToUtf8) {
  std::size_t replaced = 0;
  EXPECT_EQ(to_utf8("caf\xE9", "ISO-8859-1", &replaced), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("\x93hi\x94", "windows-1252", &replaced), "\xE2\x80\x9Chi\xE2\x80\x9D");
  EXPECT_EQ(to_utf8("\xA4", "iso-8859-15", &replaced), "\xE2\x82\xAC");  // via iconv
  EXPECT_EQ(to_utf8("na\xEFve", "x-no-such-charset", &replaced), "na\xC3\xAFve");
  EXPECT_EQ(to_utf8("\xC3\xA9", "", &replaced), "\xC3\xA9");  // undeclared, valid UTF-8
  EXPECT_EQ(to_utf8("\xE9t\xE9", "us-ascii", &replaced), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(replaced, 0u);
  EXPECT_EQ(to_utf8("a\xFF"
                    "b\xC3",
                    "utf-8", &replaced),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(replaced, 2u);
}

TEST(EmailMime, ContentTypeParameters) {
  const ContentType ct =
      parse_content_type("Multipart/Alternative; boundary=\"=_a;b\"; CHARSET=utf-8 ;x=\"q\\\"\"");
  EXPECT_EQ(ct.type, "multipart");
  EXPECT_EQ(ct.subtype, "alternative");
  EXPECT_EQ(ct.params.at("boundary"), "=_a;b");
  EXPECT_EQ(ct.params.at("charset"), "utf-8");
  EXPECT_EQ(ct.params.at("x"), "q\"");
  EXPECT_EQ(parse_content_type("").type, "");
}

TEST(EmailHtml, StripsScriptStyleCommentsAndDecodesEntities) {
  const std::string html = R"(<html><head><style>p {color:red}</style>
<script type="text/javascript">var x = "<p>not text</p>";</script></head>
<body><!-- hidden <b>comment</b> --><p>Fish &amp; chips &lt;3&gt; &quot;now&quot;</p>
<div>caf&eacute;&nbsp;&#233;&#xE9; &euro;5 &bogus; a < b</div>Hel<b>lo</b><br>World</body></html>)";
  EXPECT_EQ(html_to_text(html),
            "Fish & chips <3> \"now\"\n\ncaf\xC3\xA9 \xC3\xA9\xC3\xA9 \xE2\x82\xAC"
            "5 &bogus; a < b\n"
            "Hello\nWorld");
  EXPECT_EQ(html_to_text("<SCRIPT>never</SCRIPT >shown<script>unterminated"), "shown");
}

TEST(EmailParse, HeaderFoldingAndMboxLine) {
  const std::string raw =
      "From someone@example.com  Thu Aug 22 12:36:23 2002\n"
      "Subject: a folded\n"
      "\tsubject line\n"
      "X-Long: one\n"
      "    two\n"
      "X-Long: second occurrence\n"
      "From: Bob <bob@example.com>\n"
      "\n"
      "Body here.\n";
  const ParsedEmail e = parse_email(raw);
  EXPECT_EQ(e.subject, "a folded subject line");
  EXPECT_EQ(e.headers.at("x-long"), "one two");
  EXPECT_EQ(e.from, "Bob <bob@example.com>");
  EXPECT_EQ(e.body_text, "Body here.");
  EXPECT_EQ(email_to_text(e), "a folded subject line\n\nBody here.");
}

TEST(EmailParse, Rfc2047SubjectAndQuotedPrintableLatin1Body) {
  const std::string raw =
      "Subject: =?ISO-8859-1?Q?R=E9union?= =?UTF-8?B?4pyT?=\r\n"
      "Content-Type: text/plain; charset=\"iso-8859-1\"\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Voil=E0 un caf=E9 tr=\r\n"
      "=E8s long.\r\n";
  const ParsedEmail e = parse_email(raw);
  EXPECT_EQ(e.subject, "R\xC3\xA9union\xE2\x9C\x93");
  EXPECT_EQ(e.body_text, "Voil\xC3\xA0 un caf\xC3\xA9 tr\xC3\xA8s long.");
  EXPECT_EQ(e.replaced_bytes, 0u);
}

TEST(EmailParse, Latin1BodyWithoutEncoding) {
  const ParsedEmail e = parse_email(
      "Content-Type: text/plain; charset=latin1\n\nNa\xEFve fa\xE7"
      "ade \xBD price\n");
  EXPECT_EQ(e.body_text,
            "Na\xC3\xAFve fa\xC3\xA7"
            "ade \xC2\xBD price");
  EXPECT_TRUE(is_valid_utf8(e.body_text));
}

TEST(EmailParse, NestedMultipartPrefersPlainAlternative) {
  const std::string raw = R"(Subject: nested
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble, not text.
--outer
Content-Type: multipart/alternative;
	boundary="inner"

--inner
Content-Type: text/plain; charset=us-ascii

Plain version.
--inner
Content-Type: text/html; charset=us-ascii

<p>HTML version.</p>
--inner--
--outer
Content-Type: text/html
Content-Transfer-Encoding: base64

PHA+U2Vjb25kICZhbXA7IGxhc3Q8L3A+
--outer
Content-Type: image/gif; name="x.gif"
Content-Transfer-Encoding: base64

R0lGODlhAQABAAAAACw=
--outer
Content-Type: text/plain
Content-Disposition: attachment; filename="notes.txt"

attached text is skipped
--outer--
epilogue, not text
)";
  const ParsedEmail e = parse_email(raw);
  EXPECT_EQ(e.body_text, "Plain version.\n\nSecond & last");
  EXPECT_EQ(e.attachments, 2);
  EXPECT_EQ(email_to_text(e), "nested\n\nPlain version.\n\nSecond & last");
}

TEST(EmailParse, HtmlOnlyAlternativeAndHtmlSniffing) {
  const std::string raw =
      "Content-Type: multipart/alternative; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\n   \n"
      "--b\nContent-Type: text/html; charset=windows-1252\n\n"
      "<b>Only</b> <i>html</i> \x93quoted\x94\n--b--\n";
  EXPECT_EQ(parse_email(raw).body_text, "Only html \xE2\x80\x9Cquoted\xE2\x80\x9D");
  // No Content-Type at all, but the body is an HTML document.
  EXPECT_EQ(parse_email("Subject: x\n\n<HTML><BODY>Hi <b>there</b></BODY></HTML>\n").body_text,
            "Hi there");
}

TEST(EmailParse, MissingBoundaryParameterIsGuessed) {
  const ParsedEmail e = parse_email(
      "Content-Type: multipart/mixed\n\n--xyz\nContent-Type: text/plain\n\nfound me\n--xyz--\n");
  EXPECT_EQ(e.body_text, "found me");
}

TEST(EmailParse, InvalidUtf8IsReplacedAndCounted) {
  const ParsedEmail e = parse_email(
      "Subject: ok\nContent-Type: text/plain; charset=utf-8\n\nbad \xFF\xFE bytes \xE2\x82\n");
  EXPECT_EQ(e.body_text, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes \xEF\xBF\xBD");
  EXPECT_EQ(e.replaced_bytes, 4u);
  EXPECT_TRUE(is_valid_utf8(email_to_text(e)));
}

TEST(EmailParse, NoBlankLineAfterHeaders) {
  const ParsedEmail e =
      parse_email("Subject: hurry\nFrom: a@b.c\nBuy now: cheap pills!\nToday only\n");
  EXPECT_EQ(e.subject, "hurry");
  EXPECT_EQ(e.body_text, "Buy now: cheap pills!\nToday only");
  // A MIME part whose headers run straight into the body.
  const ParsedEmail p = parse_email(
      "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/html\n"
      "<p>Straight in</p>\n--q--\n");
  EXPECT_EQ(p.body_text, "Straight in");
}

TEST(EmailParse, EmptyAndDegenerateMessages) {
  const ParsedEmail empty = parse_email("");
  EXPECT_EQ(empty.subject, "");
  EXPECT_EQ(empty.body_text, "");
  EXPECT_TRUE(empty.headers.empty());
  EXPECT_EQ(email_to_text(empty), "");
  EXPECT_EQ(email_to_text(parse_email("Subject: only a subject\n")), "only a subject");
  EXPECT_EQ(parse_email("\n\n\n").body_text, "");
  EXPECT_EQ(parse_email("just text, no headers").body_text, "just text, no headers");
  // Unterminated multipart, truncated base64, unclosed tag and comment: no throw.
  const ParsedEmail broken = parse_email(
      "Content-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/html\n"
      "Content-Transfer-Encoding: base64\n\nPGI+aGk8L2I+PCEtLSB4");
  EXPECT_EQ(broken.body_text, "hi");
}

TEST(EmailParse, ForwardedMessageIsRead) {
  const ParsedEmail e = parse_email(
      "Content-Type: multipart/mixed; boundary=f\n\n--f\nContent-Type: text/plain\n\nSee below.\n"
      "--f\nContent-Type: message/rfc822\n\nSubject: inner =?utf-8?Q?s=C3=BBr?=\n\nInner body.\n"
      "--f--\n");
  EXPECT_EQ(e.body_text, "See below.\n\ninner s\xC3\xBBr\n\nInner body.");
}

}  // namespace
}  // namespace attn
