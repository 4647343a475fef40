#include "attn/data/unicode_class.h"

namespace attn {

char32_t unicode_to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  // Latin-1: À..Þ map to à..þ, except the multiplication sign ×.
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  // Latin Extended-A pairs upper/lower case on adjacent code points; the
  // parity flips at U+0139 and back at U+014A, and a few letters are special.
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';                            // İ -> i (dotless form is not produced)
    if (c == 0x178) return 0xFF;                           // Ÿ -> ÿ
    if (c == 0x138 || c == 0x149 || c == 0x17F) return c;  // no uppercase pair
    const bool odd_is_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_is_upper) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  // Greek capitals Α..Ω (U+03A2 is unassigned), and accented Ά Έ Ή Ί Ό Ύ Ώ.
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  // Cyrillic: Ѐ..Џ -> ѐ..џ, А..Я -> а..я.
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  return c;
}

bool unicode_is_punctuation(char32_t c) {
  if (c < 0x80) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
  }
  switch (c) {
    case 0xA1:   // ¡
    case 0xA7:   // §
    case 0xAB:   // «
    case 0xB6:   // ¶
    case 0xB7:   // ·
    case 0xBB:   // »
    case 0xBF:   // ¿
    case 0x37E:  // Greek question mark
    case 0x387:  // Greek ano teleia
      return true;
    default:
      break;
  }
  // General Punctuation: dashes, quotes, bullets, ellipsis, per-mille, primes...
  if (c >= 0x2010 && c <= 0x2027) return true;
  if (c >= 0x2030 && c <= 0x205E) return true;
  // CJK symbols and punctuation (、。〃 and the bracket pairs).
  if ((c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
      (c >= 0x3014 && c <= 0x301F)) {
    return true;
  }
  // Fullwidth ASCII punctuation.
  if ((c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
      (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65)) {
    return true;
  }
  return false;
}

bool unicode_is_space(char32_t c) {
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return true;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace attn
