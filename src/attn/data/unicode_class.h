#pragma once
// Small, table-free Unicode character classes used by the word tokenizer's
// standardisation. Coverage is deliberately limited to the scripts that show
// up in attn's data sets (Latin, Greek, Cyrillic, general punctuation);
// everything else is left unchanged rather than guessed at.
namespace attn {

// Simple lowercase mapping: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic.
char32_t unicode_to_lower(char32_t cp);

// ASCII punctuation/symbols (the 32 characters Keras strips) plus Unicode
// punctuation in Latin-1, General Punctuation, CJK and fullwidth forms.
bool unicode_is_punctuation(char32_t cp);

// ASCII whitespace plus the Unicode space separators and line separators.
bool unicode_is_space(char32_t cp);

}  // namespace attn
