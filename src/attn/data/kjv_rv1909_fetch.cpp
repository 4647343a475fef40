// Running bible-kjv and diatheke and writing the KJV -> RV1909 splits; the
// parsing and alignment they call are in kjv_rv1909.cpp.
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "attn/core/error.h"
#include "attn/data/data_tables.h"
#include "attn/data/fetch_util.h"
#include "attn/data/kjv_rv1909.h"
#include "attn/data/utf8.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

// Each split's pairs as the files want them: TSV lines and the two sides apart.
struct SplitText {
  std::string tsv, en, es;
  std::size_t pairs = 0;
  void add(const VersePair& p) {
    tsv += p.en + '\t' + p.es + '\n';
    en += p.en + '\n';
    es += p.es + '\n';
    ++pairs;
  }
};

// A tab or newline inside a text would shift columns or lines of every file.
void check_text(const VersePair& p) {
  for (const std::string* t : {&p.en, &p.es}) {
    ATTN_CHECK(t->find_first_of("\t\n\r") == std::string::npos,
               "{}: text '{}' contains a tab or newline", p.ref, shorten(*t));
    ATTN_CHECK(!t->empty(), "{}: a side of the pair is empty", p.ref);
  }
}

std::string readme_text(const KjvRv1909Stats& stats) {
  std::ostringstream os;
  os << "King James Bible (English) -> Reina-Valera 1909 (Spanish), one verse pair per line.\n"
     << "English: Debian's bible-kjv, `bible -f \"" << kKjvRange << "\"`.\n"
     << "Spanish: Debian's sword-text-sparv, `diatheke -b " << kRv1909Module << " -f plain -k \""
     << kDiathekeRange << "\"`,\n"
     << "with Strong's tags (<G5547>) and markup removed and spaces collapsed.\n"
     << "Verses are paired by book/chapter/verse, except for the " << stats.realigned
     << " hand-checked pairs of\n"
     << "data_tables/kjv-rv1909/realign.tsv in the attn sources (where the Spanish module keeps\n"
     << "the Hebrew numbering under KJV keys; " << stats.absorbed
     << " empty Spanish keys are absorbed by them).\n"
     << "Split by whole books: test = Jonah, Mark, Jude; valid = Ruth, Titus, Philemon;\n"
     << "train = the other books. Canonical order within each file.\n\n"
     << "Files: train.tsv, valid.tsv, test.tsv (english<TAB>spanish); valid.en.txt,\n"
     << "valid.es.txt, test.en.txt, test.es.txt (one side per file, same lines);\n"
     << "test.BOOK.en.txt / test.BOOK.es.txt per test book; stats.json.\n"
     << "Written by `attn data fetch kjv-rv1909`.\n\n";
  print_kjv_rv1909_stats(stats, os);
  return os.str();
}

// The output of a command run for its stdout, with sanitized UTF-8.
std::string run_for_text(const ProgramCommand& cmd, const fs::path& stderr_file,
                         std::ostream& log) {
  std::string text = capture_output(cmd, stderr_file);
  const std::size_t replaced = sanitize_utf8(text);
  if (replaced > 0) {
    log << "replaced " << replaced << " invalid UTF-8 sequences in the output of " << cmd.program
        << " by U+FFFD\n";
  }
  return text;
}

}  // namespace

KjvRv1909Stats write_kjv_rv1909(const RealignResult& aligned, const fs::path& out_dir,
                                std::ostream& log) {
  ATTN_CHECK(!aligned.pairs.empty(), "no verse pairs to write into {}", out_dir.string());
  SplitText train, valid, test;
  std::map<std::string, SplitText> books;
  for (const VersePair& p : aligned.pairs) {
    check_text(p);
    switch (kjv_rv1909_split_for_book(p.book)) {
      case Split::kTrain:
        train.add(p);
        break;
      case Split::kValid:
        valid.add(p);
        break;
      case Split::kTest:
        test.add(p);
        books[p.book].add(p);
        break;
    }
  }
  make_dirs(out_dir);
  write_atomically(out_dir / "train.tsv", train.tsv);
  write_atomically(out_dir / "valid.tsv", valid.tsv);
  write_atomically(out_dir / "test.tsv", test.tsv);
  write_atomically(out_dir / "valid.en.txt", valid.en);
  write_atomically(out_dir / "valid.es.txt", valid.es);
  write_atomically(out_dir / "test.en.txt", test.en);
  write_atomically(out_dir / "test.es.txt", test.es);

  KjvRv1909Stats stats;
  stats.train = train.pairs;
  stats.valid = valid.pairs;
  stats.test = test.pairs;
  stats.absorbed = aligned.absorbed;
  stats.realigned = aligned.realigned;
  for (const auto& [book, text] : books) {
    write_atomically(out_dir / ("test." + book + ".en.txt"), text.en);
    write_atomically(out_dir / ("test." + book + ".es.txt"), text.es);
    stats.test_books[book] = text.pairs;
  }

  nlohmann::ordered_json j;
  j["source_en"] = fmt::format("bible-kjv: bible -f \"{}\"", kKjvRange);
  j["source_es"] = fmt::format("sword-text-sparv: diatheke -b {} -f plain -k \"{}\"", kRv1909Module,
                               kDiathekeRange);
  j["pairs"] = aligned.pairs.size();
  j["train"] = stats.train;
  j["valid"] = stats.valid;
  j["test"] = stats.test;
  j["test_books"] = stats.test_books;
  j["realigned"] = stats.realigned;
  j["absorbed_empty_spanish"] = stats.absorbed;
  write_atomically(out_dir / "stats.json", j.dump(2) + "\n");
  write_atomically(out_dir / "README", readme_text(stats));
  log << "wrote " << aligned.pairs.size() << " verse pairs to " << out_dir.string() << "\n";
  print_kjv_rv1909_stats(stats, log);
  return stats;
}

KjvRv1909Stats fetch_kjv_rv1909(const fs::path& out_dir, std::ostream& log,
                                const std::string& bible, const std::string& diatheke) {
  try {
    // Created first, so an unwritable --out is reported before the programs run.
    make_dirs(out_dir);
    const ProgramCommand en_cmd{shell_quote(bible) + " -f " + shell_quote(kKjvRange), bible,
                                "bible-kjv"};
    const std::vector<BibleVerse> en =
        parse_bible_verses(run_for_text(en_cmd, out_dir / ".bible-stderr.tmp", log));
    ATTN_CHECK(en.size() == kKjvVerses,
               "`{} -f \"{}\"` printed {} verses, expected {} (another bible-kjv version?)", bible,
               kKjvRange, en.size(), kKjvVerses);

    const ProgramCommand es_cmd{shell_quote(diatheke) + " -b " + shell_quote(kRv1909Module) +
                                    " -f plain -k " + shell_quote(kDiathekeRange),
                                diatheke, "diatheke"};
    const std::vector<DiathekeVerse> es =
        parse_diatheke_output(run_for_text(es_cmd, out_dir / ".diatheke-stderr.tmp", log));
    // diatheke prints nothing (and exits 0) for a module it does not have.
    ATTN_CHECK(!es.empty(),
               "`{}` printed no verses: the SWORD module {} is missing; install Debian's "
               "sword-text-sparv (apt-get install sword-text-sparv)",
               es_cmd.command, kRv1909Module);
    // Pairing by key also checks the Spanish verse count, naming the chapter that differs.
    const std::vector<ParallelVerse> keyed = align_by_key(en, es);
    const std::vector<RealignEntry> table = parse_realign_table(kjv_rv1909_realign_table());
    const RealignResult aligned = realign_verses(keyed, table);
    ATTN_CHECK(aligned.pairs.size() == kKjvRv1909Pairs,
               "aligning gave {} verse pairs, expected {} (another package version?)",
               aligned.pairs.size(), kKjvRv1909Pairs);
    return write_kjv_rv1909(aligned, out_dir, log);
  } catch (const fs::filesystem_error& e) {
    fail("fetching KJV -> RV1909 into {}: {}", out_dir.string(), e.what());
  }
}

void print_kjv_rv1909_stats(const KjvRv1909Stats& stats, std::ostream& os) {
  os << "train: " << stats.train << " pairs\n"
     << "valid: " << stats.valid << " pairs\n"
     << "test: " << stats.test << " pairs (";
  bool first = true;
  for (const std::string_view book : kKjvRv1909TestBooks) {
    const auto it = stats.test_books.find(std::string(book));
    os << (first ? "" : ", ") << book << " " << (it == stats.test_books.end() ? 0 : it->second);
    first = false;
  }
  os << ")\n";
}

}  // namespace attn
