// `attn score` end to end. tests/fixtures/score/ holds sacreBLEU's README
// example (github.com/mjpost/sacrebleu README.md, "Using SacreBLEU from
// Python"): hyp.txt, ref1.txt, ref2.txt, and ref1_var.txt (ref1 with its first
// line emptied, the "Variable Number of References" example). sacreBLEU
// publishes BLEU = 48.53 (48.530827 in its test/test_bleu.py), chrF2 = 59.73
// and, with ref1_var, BLEU = 29.44.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

std::string score_dir() { return (fixtures_dir() / "score").string(); }

// Shell-quoted path of a fixture (fmt: GCC 12 warns falsely on "'" + std::string).
std::string fixture(const char* name) { return fmt::format("'{}/{}'", score_dir(), name); }

std::string readme_args(const std::string& metric) {
  return "score --metric " + metric + " --hyp " + fixture("hyp.txt") + " --ref " +
         fixture("ref1.txt") + " --ref " + fixture("ref2.txt");
}

TEST(ScoreCli, BleuPlainLineMatchesSacrebleuReadme) {
  const CliResult r = run_cli(readme_args("bleu"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = "
            "18)\n");
}

TEST(ScoreCli, BleuJsonHasScoreAndDetails) {
  const CliResult r = run_cli(readme_args("bleu") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("metric"), "bleu");
  EXPECT_NEAR(j.at("score").get<double>(), 48.530827, 0.01);
  EXPECT_EQ(j.at("counts"), nlohmann::json({14, 7, 5, 3}));
  EXPECT_EQ(j.at("totals"), nlohmann::json({17, 14, 11, 8}));
  EXPECT_EQ(j.at("sys_len"), 17);
  EXPECT_EQ(j.at("ref_len"), 18);
  EXPECT_NEAR(j.at("bp").get<double>(), 0.943, 5e-4);
  EXPECT_EQ(j.at("nrefs"), 2);
}

TEST(ScoreCli, BleuVariableReferences) {
  const CliResult r = run_cli("score --metric bleu --hyp " + fixture("hyp.txt") + " --ref " +
                              fixture("ref1_var.txt") + " --ref " + fixture("ref2.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = "
            "19)\n");
}

TEST(ScoreCli, ChrfMatchesSacrebleuReadme) {
  const CliResult r = run_cli(readme_args("chrf"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "chrF2 = 59.73\n");
  const CliResult j = run_cli(readme_args("chrf") + " --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto json = nlohmann::json::parse(j.out);
  EXPECT_EQ(json.at("metric"), "chrf");
  EXPECT_NEAR(json.at("score").get<double>(), 59.73, 0.01);
  EXPECT_EQ(json.at("char_order"), 6);
}

TEST(ScoreCli, HypothesesFromStdin) {
  const fs::path dir = make_temp_dir("score_stdin");
  const fs::path out = dir / "out";
  const std::string cmd = fmt::format(
      "'{}' {} <{} >'{}' 2>&1", ATTN_CLI_PATH,
      "score --metric bleu --hyp - --ref " + fixture("ref1.txt") + " --ref " + fixture("ref2.txt"),
      fixture("hyp.txt"), out.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(out);
  EXPECT_EQ(read_file(out).substr(0, 12), "BLEU = 48.53");
  fs::remove_all(dir);
}

// G2P-style files: line 2 matches no reference; stream 2 has no reference for
// lines 1 and 4 (empty lines).
struct G2pFiles {
  fs::path dir, hyp, ref1, ref2;
};

G2pFiles make_g2p(const std::string& tag) {
  G2pFiles f;
  f.dir = make_temp_dir(tag);
  f.hyp = f.dir / "hyp.txt";
  f.ref1 = f.dir / "ref1.txt";
  f.ref2 = f.dir / "ref2.txt";
  write_file(f.hyp, "k ae t\nd o g\nb ɜː d\n f ɪ  ʃ\n");
  write_file(f.ref1, "k ae t\nd ɒ g\nb ɜː d\nf ɪ ʃ\n");
  write_file(f.ref2, "\nd ɔ g\nb ɝ d\n\n");
  return f;
}

std::string g2p_args(const G2pFiles& f, const std::string& metric) {
  return "score --metric " + metric + " --hyp '" + f.hyp.string() + "' --ref '" + f.ref1.string() +
         "' --ref '" + f.ref2.string() + "'";
}

TEST(ScoreCli, WerIsShareOfLinesMatchingNoReference) {
  const G2pFiles f = make_g2p("score_wer");
  const CliResult r = run_cli(g2p_args(f, "wer"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "WER = 25.00 (1 of 4 sentences match no reference)\n");
  const CliResult j = run_cli(g2p_args(f, "wer") + " --json");
  const auto json = nlohmann::json::parse(j.out);
  EXPECT_EQ(json.at("metric"), "wer");
  EXPECT_DOUBLE_EQ(json.at("score").get<double>(), 25.0);
  EXPECT_EQ(json.at("errors"), 1);
  fs::remove_all(f.dir);
}

TEST(ScoreCli, PerPoolsEditsOverClosestReferences) {
  const G2pFiles f = make_g2p("score_per");
  const CliResult r = run_cli(g2p_args(f, "per") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("metric"), "per");
  EXPECT_EQ(json.at("edits"), 1);        // line 2: one substitution to either reference
  EXPECT_EQ(json.at("ref_tokens"), 12);  // 3 + 3 + 3 + 3
  EXPECT_DOUBLE_EQ(json.at("score").get<double>(), 100.0 / 12.0);
  const CliResult plain = run_cli(g2p_args(f, "per"));
  EXPECT_EQ(plain.out, "PER = 8.33 (1 edits / 12 reference tokens, 4 sentences)\n");
  fs::remove_all(f.dir);
}

// ---- one test per bad input ----

TEST(ScoreCli, LineCountMismatchNamesFileAndCounts) {
  const fs::path dir = make_temp_dir("score_count");
  write_file(dir / "short.txt", "The dog bit the man.\nIt was not unexpected.\n");
  const CliResult r = run_cli("score --metric bleu --hyp " + fixture("hyp.txt") + " --ref '" +
                              (dir / "short.txt").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("short.txt has 2 lines"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hyp.txt has 3"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(ScoreCli, MissingFileIsAnError) {
  const CliResult r = run_cli("score --metric chrf --hyp " + fixture("hyp.txt") +
                              " --ref /nonexistent/attn_refs.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/attn_refs.txt"), std::string::npos) << r.err;
}

TEST(ScoreCli, UnknownMetricIsAnError) {
  const CliResult r = run_cli(readme_args("meteor"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("meteor"), std::string::npos) << r.err;
}

TEST(ScoreCli, LineWithoutReferenceIsAnErrorForWer) {
  const G2pFiles f = make_g2p("score_noref");
  write_file(f.ref1, "k ae t\nd ɒ g\nb ɜː d\n\n");  // line 4 now empty in both files
  const CliResult r = run_cli(g2p_args(f, "per"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 4 has no reference"), std::string::npos) << r.err;
  fs::remove_all(f.dir);
}

TEST(ScoreCli, StdinForReferenceIsAnError) {
  const CliResult r = run_cli("score --metric bleu --hyp " + fixture("hyp.txt") + " --ref -");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("only --hyp may read stdin"), std::string::npos) << r.err;
}

TEST(ScoreCli, InvalidUtf8IsAnError) {
  const fs::path dir = make_temp_dir("score_utf8");
  write_file(dir / "bad.txt", "fine\nbroken \xC3\nok\n");
  const CliResult r = run_cli("score --metric chrf --hyp '" + (dir / "bad.txt").string() +
                              "' --ref " + fixture("ref1.txt"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.txt:2: invalid UTF-8"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace attn::test
