#pragma once
// sacreBLEU's default "13a" tokenizer: the tokenization of WMT's
// mteval-v13a.pl, which BLEU scores are reported with. Reimplemented from the
// rules sacreBLEU documents (sacrebleu/tokenizers/tokenizer_13a.py and
// tokenizer_re.py), in order:
//   1. remove "<skipped>", join "-\n" (drop both), turn "\n" into a space;
//   2. unescape &quot; &amp; &lt; &gt; (in that order, one pass each);
//   3. pad the line with a space on each side, then apply four rewrite passes,
//      each a left-to-right scan whose matches do not overlap (as re.sub):
//      a. put spaces around every ASCII symbol in { | } ~ [ \ ] ^ _ ` space
//         ! " # $ % & ( ) * + / : ; < = > ? @  (not ' , - . or letters/digits),
//      b. split "." and "," from a preceding non-digit,
//      c. split "." and "," from a following non-digit,
//      d. split "-" from a preceding digit;
//   4. collapse whitespace runs (Unicode whitespace, as str.split) to one space
//      and trim both ends.
// Only ASCII is rewritten, so UTF-8 text (accents, ¿ ¡) passes through intact.
#include <string>
#include <string_view>

namespace attn {

std::string tokenize_13a(std::string_view line);

}  // namespace attn
