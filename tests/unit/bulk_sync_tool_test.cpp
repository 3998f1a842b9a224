// The sans-io parts of permit-bulk-sync: input formats and their rejects, the line reader's
// bounded memory, generated users, shards, resume bookkeeping and checkpoints, progress and
// summary text, and the command line.
#include <boost/test/unit_test.hpp>

#include <bulk_sync/checkpoint.hpp>
#include <bulk_sync/generator.hpp>
#include <bulk_sync/input.hpp>
#include <bulk_sync/options.hpp>
#include <bulk_sync/outcome.hpp>
#include <bulk_sync/report.hpp>
#include <bulk_sync/shard.hpp>

#include <boost/json/parse.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace bs = permit_bulk_sync;
using namespace std::chrono_literals;

namespace {

// A fresh directory under the system's temporary directory, removed with everything in it.
class temp_dir {
  public:
    temp_dir() {
        static std::atomic<unsigned> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path_ = fs::temp_directory_path() / ("permit-bulk-sync-test-" + std::to_string(stamp) +
                                             "-" + std::to_string(counter++));
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const fs::path& path() const { return path_; }

    fs::path write(const std::string& name, const std::string& content) const {
        const auto file = path_ / name;
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }

  private:
    fs::path path_;
};

// An open std::FILE*, closed on scope exit.
class open_file {
  public:
    explicit open_file(const fs::path& path) : file_(std::fopen(path.c_str(), "rb")) {
        BOOST_REQUIRE(file_);
    }
    ~open_file() { std::fclose(file_); }
    open_file(const open_file&) = delete;
    open_file& operator=(const open_file&) = delete;

    std::FILE* get() const { return file_; }

  private:
    std::FILE* file_;
};

struct read_line {
    std::uint64_t number;
    std::string text;
    bool too_long;
};

std::vector<read_line> read_all(bs::line_reader& reader) {
    std::vector<read_line> out;
    while (auto line = reader.next())
        out.push_back({line->number, std::string(line->text), line->too_long});
    return out;
}

bs::parsed_line json(std::string_view text) {
    return bs::parse_json_line(text, 7);
}

// The reason a line was rejected, or a note saying it was not.
std::string reason(const bs::parsed_line& p) {
    if (const auto* r = std::get_if<bs::reject>(&p)) return r->reason;
    return "<not rejected>";
}

permit::user_create user_of(const bs::parsed_line& p) {
    const auto* record = std::get_if<bs::sync_record>(&p);
    BOOST_TEST_REQUIRE(record != nullptr, "rejected: " << reason(p));
    return record->user;
}

bs::csv_columns columns(std::string_view header) {
    std::string error;
    auto out = bs::csv_columns::from_header(header, error);
    BOOST_TEST_REQUIRE(out.has_value(), error);
    return *out;
}

std::string header_error(std::string_view header) {
    std::string error;
    BOOST_TEST(!bs::csv_columns::from_header(header, error));
    return error;
}

const bs::csv_columns standard = columns("key,email,first_name,last_name,tenant,role");

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_sync_tool)

// ---------------------------------------------------------------------------------------------
// JSON Lines

BOOST_AUTO_TEST_CASE(a_json_line_with_tenant_and_roles_is_a_user_with_an_assignment_per_role) {
    const auto p = json(
        R"({"key":"jane","email":"jane@acme.com","first_name":"Jane","last_name":"Doe",)"
        R"("attributes":{"plan":"pro","age":30},"tenant":"acme","roles":["viewer","editor"]})");
    const auto* record = std::get_if<bs::sync_record>(&p);
    BOOST_TEST_REQUIRE(record != nullptr, reason(p));
    BOOST_TEST(record->line == 7u);
    const auto& u = record->user;
    BOOST_TEST(u.key == "jane");
    BOOST_TEST(*u.email == "jane@acme.com");
    BOOST_TEST(*u.first_name == "Jane");
    BOOST_TEST(*u.last_name == "Doe");
    BOOST_TEST(u.attributes.at("plan") == "pro");
    BOOST_TEST(u.attributes.at("age") == 30);
    const std::vector<permit::user_role_create> expected{{.role = "viewer", .tenant = "acme"},
                                                         {.role = "editor", .tenant = "acme"}};
    BOOST_TEST((u.role_assignments == expected));
}

BOOST_AUTO_TEST_CASE(a_json_line_may_give_one_role_or_none_and_null_means_absent) {
    auto u = user_of(json(R"({"key":"a","role":"admin"})"));
    BOOST_TEST(u.role_assignments.size() == 1u);
    BOOST_TEST(u.role_assignments[0].role == "admin");
    BOOST_TEST(!u.role_assignments[0].tenant, "no tenant: the default tenant");

    u = user_of(json(R"({"key":"b","email":null,"first_name":null,"attributes":null,"roles":[]})"));
    BOOST_TEST(!u.email);
    BOOST_TEST(!u.first_name);
    BOOST_TEST(u.attributes.empty());
    BOOST_TEST(u.role_assignments.empty());
}

BOOST_AUTO_TEST_CASE(a_json_line_may_list_role_assignments) {
    const auto u = user_of(
        json(R"({"key":"a","role_assignments":[{"role":"viewer"},{"role":"editor","tenant":"t1"},)"
             R"({"role":"owner","tenant":"t2","resource_instance":"document:d1"}]})"));
    const std::vector<permit::user_role_create> expected{
        {.role = "viewer"},
        {.role = "editor", .tenant = "t1"},
        {.role = "owner", .tenant = "t2", .resource_instance = "document:d1"}};
    BOOST_TEST((u.role_assignments == expected));
}

BOOST_AUTO_TEST_CASE(blank_lines_are_skipped_not_rejected) {
    for (const auto* text : {"", "   ", "\t \t"}) {
        BOOST_TEST(std::holds_alternative<bs::blank_line>(json(text)));
        BOOST_TEST(std::holds_alternative<bs::blank_line>(standard.parse_row(text, 3)));
    }
}

BOOST_AUTO_TEST_CASE(each_bad_json_line_is_rejected_with_its_reason) {
    BOOST_TEST(reason(json(R"({"key":"a",})")).starts_with("malformed JSON at column 12: "));
    BOOST_TEST(reason(json(R"({"key":"a"} trailing)")).starts_with("malformed JSON"));
    BOOST_TEST(reason(json(R"({"key":)")).starts_with("malformed JSON"));
    BOOST_TEST(reason(json(R"(["a"])")) == "not a JSON object");
    BOOST_TEST(reason(json(R"({"key":"a","emial":"a@b.co"})")) == R"(unknown field "emial")");
    BOOST_TEST(reason(json(R"({"email":"a@b.co"})")) == R"(missing "key")");
    BOOST_TEST(reason(json(R"({"key":42})")) == R"("key" is not a string)");
    BOOST_TEST(reason(json(R"({"key":"a b"})")) ==
               R"(invalid key "a b": must match ^[A-Za-z0-9|@+\-\._]+$)");
    BOOST_TEST(reason(json(R"({"key":"a","email":"x"})")) == R"(invalid email "x")");
    BOOST_TEST(reason(json(R"({"key":"a","first_name":7})")) == R"("first_name" is not a string)");
    BOOST_TEST(reason(json(R"({"key":"a","attributes":[1]})")) ==
               "attributes is not a JSON object");
    BOOST_TEST(reason(json(R"({"key":"a","tenant":"a b","role":"r"})")) ==
               R"(invalid tenant "a b": must match ^[A-Za-z0-9\-_]+$)");
    BOOST_TEST(reason(json(R"({"key":"a","tenant":"t","role":""})")) == "empty role");
    BOOST_TEST(
        reason(json(R"({"key":"a","tenant":"t"})")).starts_with(R"(tenant "t" has no role)"));
    BOOST_TEST(reason(json(R"({"key":"a","role":"r","roles":["s"]})")) ==
               R"(give "role" or "roles", not both)");
    BOOST_TEST(reason(json(R"({"key":"a","roles":"viewer"})")) ==
               R"("roles" is not an array of strings)");
    BOOST_TEST(reason(json(R"({"key":"a","roles":["viewer",1]})")) ==
               R"("roles" is not an array of strings)");
    BOOST_TEST(reason(json(R"({"key":"a","tenant":"t","role_assignments":[]})")) ==
               R"("role_assignments" cannot be combined with "tenant", "role" or "roles")");
    BOOST_TEST(reason(json(R"({"key":"a","role_assignments":{"role":"r"}})")) ==
               R"("role_assignments" is not an array)");
    BOOST_TEST(reason(json(R"({"key":"a","role_assignments":["r"]})")) ==
               "role_assignments[0] is not a JSON object");
    BOOST_TEST(reason(json(R"({"key":"a","role_assignments":[{"tenant":"t"}]})")) ==
               R"(missing "role" in role_assignments[0])");
    BOOST_TEST(reason(json(R"({"key":"a","role_assignments":[{"role":"r","scope":"x"}]})")) ==
               R"(unknown field "scope" in role_assignments[0])");
    BOOST_TEST(reason(json(R"({"key":"a","role_assignments":[{"role":"r","tenant":5}]})")) ==
               R"("tenant" is not a string in role_assignments[0])");
}

BOOST_AUTO_TEST_CASE(a_reject_reason_quotes_a_value_safely_and_briefly) {
    const auto long_key = std::string(1000, 'x') + " y";
    const auto r = reason(json(R"({"key":")" + long_key + R"("})"));
    // The first 64 bytes of the value, then an ellipsis inside the quotes.
    BOOST_TEST(r == "invalid key \"" + std::string(64, 'x') +
                        R"(...": must match ^[A-Za-z0-9|@+\-\._]+$)");
    BOOST_TEST(reason(json(R"({"key":"a\nb"})")) ==
               R"(invalid key "a\u000ab": must match ^[A-Za-z0-9|@+\-\._]+$)");
}

BOOST_AUTO_TEST_CASE(the_key_and_email_checks_follow_the_documented_rules) {
    for (const auto* key : {"jane", "user|892179821739812389327", "a@b.c", "x+y-z.w_v", "0"})
        BOOST_TEST(bs::is_valid_user_key(key), key);
    for (const auto* key : {"", "a b", "a/b", "a:b", "é", "a#"})
        BOOST_TEST(!bs::is_valid_user_key(key), key);
    BOOST_TEST(bs::is_valid_tenant_key("stripe-inc_2"));
    BOOST_TEST(!bs::is_valid_tenant_key("othercompany.com"));
    for (const auto* email : {"jane@acme.com", "j.d+tag@mail.example.org", "a@b.c"})
        BOOST_TEST(bs::is_plausible_email(email), email);
    for (const auto* email : {"x", "@acme.com", "jane@", "jane@acme", "jane@.com", "jane@acme.",
                              "ja ne@acme.com", "a@b@c.com", "jane@acme.com\t"})
        BOOST_TEST(!bs::is_plausible_email(email), email);
}

// ---------------------------------------------------------------------------------------------
// CSV

BOOST_AUTO_TEST_CASE(csv_columns_may_come_in_any_order_with_optional_attributes) {
    const auto c = columns("role, tenant,key,last_name,first_name,email,attributes");
    BOOST_TEST(c.size() == 7u);
    const auto u =
        user_of(c.parse_row(R"(editor,acme,jane,Doe,Jane,jane@acme.com,"{""plan"":""pro""}")", 2));
    BOOST_TEST(u.key == "jane");
    BOOST_TEST(*u.email == "jane@acme.com");
    BOOST_TEST(*u.first_name == "Jane");
    BOOST_TEST(*u.last_name == "Doe");
    BOOST_TEST(u.attributes.at("plan") == "pro");
    BOOST_TEST_REQUIRE(u.role_assignments.size() == 1u);
    BOOST_TEST(
        (u.role_assignments[0] == permit::user_role_create{.role = "editor", .tenant = "acme"}));
}

BOOST_AUTO_TEST_CASE(csv_fields_follow_rfc_4180_quoting) {
    std::vector<std::string> fields;
    BOOST_TEST(!bs::split_csv_record(R"(a,"b,c","say ""hi""",,"")", fields));
    BOOST_TEST(fields == (std::vector<std::string>{"a", "b,c", R"(say "hi")", "", ""}),
               boost::test_tools::per_element());
    BOOST_TEST(!bs::split_csv_record("a,", fields));
    BOOST_TEST(fields.size() == 2u, "a trailing comma ends with an empty field");
    BOOST_TEST(*bs::split_csv_record(R"(a,"b,c)", fields) ==
               "unterminated quoted field 2 (a field cannot span lines)");
    BOOST_TEST(*bs::split_csv_record(R"("a"b,c)", fields) ==
               "unexpected text after the closing quote of field 1");
    BOOST_TEST(*bs::split_csv_record(R"(a,b"c)", fields) ==
               "quote inside unquoted field 2 (quote the whole field and double the quote)");
}

BOOST_AUTO_TEST_CASE(csv_quoting_keeps_commas_and_quotes_inside_names) {
    const auto u =
        user_of(standard.parse_row(R"(pat,pat@b.co,"Pat ""P"", Jr","O'Brien, Sr",acme,viewer)", 5));
    BOOST_TEST(*u.first_name == R"(Pat "P", Jr)");
    BOOST_TEST(*u.last_name == "O'Brien, Sr");
}

BOOST_AUTO_TEST_CASE(empty_csv_fields_mean_absent_default_tenant_or_no_role) {
    auto u = user_of(standard.parse_row("a,,,,,", 2));
    BOOST_TEST(!u.email);
    BOOST_TEST(!u.first_name);
    BOOST_TEST(!u.last_name);
    BOOST_TEST(u.role_assignments.empty(), "empty role: no assignment");

    u = user_of(standard.parse_row("a,,,,,viewer", 2));
    BOOST_TEST_REQUIRE(u.role_assignments.size() == 1u);
    BOOST_TEST(!u.role_assignments[0].tenant, "empty tenant: the default tenant");

    BOOST_TEST(
        reason(standard.parse_row("a,,,,acme,", 2)).starts_with(R"(tenant "acme" has no role)"));
}

BOOST_AUTO_TEST_CASE(each_bad_csv_row_is_rejected_with_its_reason) {
    BOOST_TEST(reason(standard.parse_row("a,b", 2)) == "expected 6 fields, found 2");
    BOOST_TEST(reason(standard.parse_row("a,,,,,,", 2)) == "expected 6 fields, found 7");
    BOOST_TEST(reason(standard.parse_row(",a@b.co,,,,", 2)) == "missing key");
    BOOST_TEST(reason(standard.parse_row("a b,,,,,", 2)) ==
               R"(invalid key "a b": must match ^[A-Za-z0-9|@+\-\._]+$)");
    BOOST_TEST(reason(standard.parse_row("a,x,,,,", 2)) == R"(invalid email "x")");
    BOOST_TEST(reason(standard.parse_row("a,,,,bad tenant,viewer", 2)) ==
               R"(invalid tenant "bad tenant": must match ^[A-Za-z0-9\-_]+$)");
    BOOST_TEST(
        reason(standard.parse_row(R"(a,"x,,,,)", 2)).starts_with("unterminated quoted field"));

    const auto with_attributes = columns("key,email,first_name,last_name,tenant,role,attributes");
    BOOST_TEST(reason(with_attributes.parse_row(R"(a,,,,,,"[1,2]")", 2)) ==
               "attributes is not a JSON object");
    BOOST_TEST(reason(with_attributes.parse_row("a,,,,,,{plan", 2))
                   .starts_with("attributes is not valid JSON: "));
    BOOST_TEST(user_of(with_attributes.parse_row("a,,,,,,", 2)).attributes.empty());
}

BOOST_AUTO_TEST_CASE(a_bad_csv_header_is_an_error_for_the_whole_file) {
    BOOST_TEST(header_error("key,first_name,last_name,tenant,role") == R"(missing column "email")");
    BOOST_TEST(header_error("key,first_name,last_name") ==
               R"(missing columns "email", "tenant", "role")");
    BOOST_TEST(header_error("key,email,first_name,last_name,tenant,role,plan")
                   .starts_with(R"(unknown column "plan")"));
    BOOST_TEST(header_error("key,email,email,first_name,last_name,tenant,role") ==
               R"(column "email" appears twice)");
    BOOST_TEST(header_error(R"(key,"email)").starts_with("CSV header: unterminated quoted field"));
}

// ---------------------------------------------------------------------------------------------
// Reading lines

BOOST_AUTO_TEST_CASE(the_reader_handles_crlf_blank_lines_and_a_last_line_without_newline) {
    temp_dir dir;
    const auto path =
        dir.write("users.jsonl", "{\"key\":\"a\"}\r\n\r\n  \n{\"key\":\"b\"}\n{\"key\":\"c\"}");
    open_file file(path);
    bs::line_reader reader(file.get());
    const auto lines = read_all(reader);
    BOOST_TEST_REQUIRE(lines.size() == 5u);
    BOOST_TEST(lines[0].text == R"({"key":"a"})", "the \\r is not part of the line");
    BOOST_TEST(lines[1].text == "");
    BOOST_TEST(lines[2].text == "  ");
    BOOST_TEST(lines[4].number == 5u);
    BOOST_TEST(lines[4].text == R"({"key":"c"})");
    BOOST_TEST(!reader.failed());
    BOOST_TEST(reader.offset() == fs::file_size(path));

    const bs::record_parser parser;
    std::vector<std::string> outcome;
    for (const auto& l : lines)
        outcome.push_back(std::visit(
            [](const auto& p) -> std::string {
                using T = std::decay_t<decltype(p)>;
                if constexpr (std::is_same_v<T, bs::sync_record>) return p.user.key;
                if constexpr (std::is_same_v<T, bs::blank_line>) return "blank";
                return "reject";
            },
            parser.parse({.number = l.number, .text = l.text, .too_long = l.too_long})));
    BOOST_TEST(outcome == (std::vector<std::string>{"a", "blank", "blank", "b", "c"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_empty_file_has_no_lines_and_a_final_newline_adds_none) {
    temp_dir dir;
    open_file empty(dir.write("empty", ""));
    bs::line_reader a(empty.get());
    BOOST_TEST(!a.next());

    open_file two(dir.write("two", "x\ny\n"));
    bs::line_reader b(two.get());
    BOOST_TEST(read_all(b).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_one_megabyte_line_is_rejected_without_buffering_it) {
    temp_dir dir;
    std::string content = "{\"key\":\"before\"}\n{\"key\":\"";
    content.append(1024 * 1024, 'x');
    content += "\"}\r\n{\"key\":\"after\"}\n";
    open_file file(dir.write("big.jsonl", content));
    bs::line_reader reader(file.get());
    const std::size_t capacity = reader.capacity();
    BOOST_TEST(capacity <= bs::line_reader::default_max_line + 4096);

    const bs::record_parser parser(reader.max_line());
    std::vector<bs::parsed_line> parsed;
    while (auto line = reader.next()) {
        parsed.push_back(parser.parse(*line));
        BOOST_TEST(reader.capacity() == capacity, "the buffer never grows");
    }
    BOOST_TEST_REQUIRE(parsed.size() == 3u);
    BOOST_TEST(user_of(parsed[0]).key == "before");
    const auto* r = std::get_if<bs::reject>(&parsed[1]);
    BOOST_TEST_REQUIRE(r != nullptr);
    BOOST_TEST(r->line == 2u);
    BOOST_TEST(r->reason == "line longer than 65536 bytes");
    const auto* after = std::get_if<bs::sync_record>(&parsed[2]);
    BOOST_TEST_REQUIRE(after != nullptr);
    BOOST_TEST(after->line == 3u);
    BOOST_TEST(after->user.key == "after");
}

BOOST_AUTO_TEST_CASE(a_line_of_exactly_the_maximum_is_accepted_with_either_line_ending) {
    temp_dir dir;
    const std::string max(16, 'a'), over(17, 'b');
    open_file file(dir.write("edge", max + "\n" + max + "\r\n" + over + "\n" + over + "\r\n" +
                                         std::string(100, 'c') + "\n" + max));
    bs::line_reader reader(file.get(), 16);
    const auto lines = read_all(reader);
    BOOST_TEST_REQUIRE(lines.size() == 6u);
    BOOST_TEST((!lines[0].too_long && lines[0].text == max));
    BOOST_TEST((!lines[1].too_long && lines[1].text == max));
    BOOST_TEST(lines[2].too_long);
    BOOST_TEST(lines[3].too_long);
    BOOST_TEST(lines[4].too_long);
    BOOST_TEST((!lines[5].too_long && lines[5].text == max && lines[5].number == 6u));
}

BOOST_AUTO_TEST_CASE(skip_to_starts_at_a_line_without_parsing_the_ones_before) {
    temp_dir dir;
    std::string content;
    for (int i = 1; i <= 50000; ++i) content += "line " + std::to_string(i) + "\n";
    const auto path = dir.write("many", content);
    {
        open_file file(path);
        bs::line_reader reader(file.get(), 64);
        BOOST_TEST(reader.skip_to(40001));
        const auto line = reader.next();
        BOOST_TEST_REQUIRE(line.has_value());
        BOOST_TEST(line->number == 40001u);
        BOOST_TEST(line->text == "line 40001");
        BOOST_TEST(reader.skip_to(10), "a line already passed: nothing to do");
        BOOST_TEST(reader.next()->number == 40002u);
    }
    {
        open_file file(path);
        bs::line_reader reader(file.get());
        BOOST_TEST(reader.skip_to(50001), "just past the last line: a finished run");
        BOOST_TEST(!reader.next());
    }
    {
        open_file file(path);
        bs::line_reader reader(file.get());
        BOOST_TEST(!reader.skip_to(50002));
    }
}

BOOST_AUTO_TEST_CASE(skip_to_passes_over_lines_longer_than_the_maximum) {
    temp_dir dir;
    open_file file(
        dir.write("long", std::string(100000, 'x') + "\nsecond\n" + std::string(300, 'y')));
    bs::line_reader reader(file.get(), 16);
    const auto capacity = reader.capacity();
    BOOST_TEST(reader.skip_to(2));
    BOOST_TEST(reader.next()->text == "second");
    BOOST_TEST(reader.capacity() == capacity);
    BOOST_TEST(capacity < 100000u);
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_skipped) {
    temp_dir dir;
    open_file file(
        dir.write("bom.csv", "\xEF\xBB\xBFkey,email,first_name,last_name,tenant,role\na,,,,,\n"));
    bs::line_reader reader(file.get());
    std::string error;
    auto parser = bs::make_record_parser(bs::input_format::csv, reader, error);
    BOOST_TEST_REQUIRE(parser.has_value(), error);
    BOOST_TEST(user_of(parser->parse(*reader.next())).key == "a");
}

BOOST_AUTO_TEST_CASE(the_format_comes_from_the_extension_else_the_first_byte) {
    BOOST_TEST((bs::detect_format("u.jsonl", "key,email") == bs::input_format::json_lines));
    BOOST_TEST((bs::detect_format("u.NDJSON", "") == bs::input_format::json_lines));
    BOOST_TEST((bs::detect_format("u.json", "") == bs::input_format::json_lines));
    BOOST_TEST((bs::detect_format("u.csv", "{") == bs::input_format::csv));
    BOOST_TEST((bs::detect_format("users", "\n \r\n{\"key\":1}") == bs::input_format::json_lines));
    BOOST_TEST((bs::detect_format("users.txt", "key,email") == bs::input_format::csv));
    BOOST_TEST((bs::detect_format("users", "") == bs::input_format::csv));

    temp_dir dir;
    open_file file(dir.write("users", "\n{\"key\":\"a\"}\n"));
    bs::line_reader reader(file.get());
    BOOST_TEST((bs::detect_format("users", reader.peek(4096)) == bs::input_format::json_lines));
    BOOST_TEST(reader.next()->number == 1u, "peek consumes nothing");
}

BOOST_AUTO_TEST_CASE(a_csv_file_reads_its_header_then_resumes_past_it) {
    temp_dir dir;
    open_file file(dir.write("users.csv",
                             "\nemail,key,first_name,last_name,tenant,role\r\n"
                             "a@x.co,a,,,,viewer\r\nb@x.co,b,,,,viewer\r\nc@x.co,c,,,,viewer\r\n"));
    bs::line_reader reader(file.get());
    std::string error;
    auto parser = bs::make_record_parser(bs::input_format::csv, reader, error);
    BOOST_TEST_REQUIRE(parser.has_value(), error);
    BOOST_TEST((parser->format() == bs::input_format::csv));
    BOOST_TEST(reader.skip_to(5));
    const auto record = parser->parse(*reader.next());
    BOOST_TEST(user_of(record).key == "c");
    BOOST_TEST(std::get<bs::sync_record>(record).line == 5u);

    open_file bad(dir.write("bad.csv", "key,first_name\na,b\n"));
    bs::line_reader bad_reader(bad.get());
    BOOST_TEST(!bs::make_record_parser(bs::input_format::csv, bad_reader, error));
    BOOST_TEST(error == R"(missing columns "email", "last_name", "tenant", "role")");

    open_file empty(dir.write("empty.csv", "\n\n"));
    bs::line_reader empty_reader(empty.get());
    BOOST_TEST(!bs::make_record_parser(bs::input_format::csv, empty_reader, error));
    BOOST_TEST(error == "empty CSV file: no header line");
}

// ---------------------------------------------------------------------------------------------
// Generated users

BOOST_AUTO_TEST_CASE(a_generated_user_is_a_pure_function_of_index_and_seed) {
    BOOST_TEST((bs::generated_user(42) == bs::generated_user(42, 1)));
    BOOST_TEST((bs::generated_user(42, 7) == bs::generated_user(42, 7)));
    int differ = 0;
    for (std::uint64_t i = 0; i < 100; ++i)
        differ += bs::generated_user(i, 1) == bs::generated_user(i, 2) ? 0 : 1;
    BOOST_TEST(differ > 90, "another seed is another data set");

    const auto u = bs::generated_user(42);
    BOOST_TEST(u.key == "user-000042");
    BOOST_TEST(bs::generated_user(1234567).key == "user-1234567");
    BOOST_TEST(u.email->find("42@") != std::string::npos, *u.email);
    BOOST_TEST(u.email->ends_with(".example.com"));
}

BOOST_AUTO_TEST_CASE(generated_users_are_valid_and_use_every_tenant_and_role) {
    const auto tenants = bs::generated_tenants();
    const auto roles = bs::generated_roles();
    BOOST_TEST(tenants.size() == 8u);
    BOOST_TEST(roles == (std::vector<std::string>{"viewer", "editor", "admin"}),
               boost::test_tools::per_element());
    std::map<std::string, int> per_tenant, per_role;
    std::set<std::string> emails;
    int two_roles = 0;
    for (std::uint64_t i = 0; i < 10000; ++i) {
        const auto u = bs::generated_user(i, 3);
        BOOST_TEST_REQUIRE(!bs::validate_user(u), *bs::validate_user(u));
        BOOST_TEST_REQUIRE(u.first_name.has_value());
        BOOST_TEST_REQUIRE(u.last_name.has_value());
        BOOST_TEST_REQUIRE((u.attributes.contains("plan") && u.attributes.contains("signup_year") &&
                            u.attributes.contains("country")));
        emails.insert(*u.email);
        BOOST_TEST_REQUIRE((u.role_assignments.size() == 1 || u.role_assignments.size() == 2));
        if (u.role_assignments.size() == 2) {
            ++two_roles;
            BOOST_TEST_REQUIRE(u.role_assignments[0].role != u.role_assignments[1].role);
            BOOST_TEST_REQUIRE((u.role_assignments[0].tenant == u.role_assignments[1].tenant));
        }
        for (const auto& a : u.role_assignments) {
            ++per_tenant[*a.tenant];
            ++per_role[a.role];
        }
    }
    BOOST_TEST(emails.size() == 10000u, "emails are unique");
    BOOST_TEST(per_tenant.size() == tenants.size());
    for (const auto& t : tenants) BOOST_TEST(per_tenant.contains(t), t);
    BOOST_TEST(per_role.size() == roles.size());
    BOOST_TEST(per_role["viewer"] > per_role["editor"]);
    BOOST_TEST(per_role["editor"] > per_role["admin"]);
    BOOST_TEST((two_roles > 1500 && two_roles < 3500), two_roles);
}

BOOST_AUTO_TEST_CASE(a_json_line_written_for_a_user_reads_back_as_the_same_user) {
    for (std::uint64_t i = 0; i < 500; ++i) {
        const auto u = bs::generated_user(i, 9);
        const auto line = bs::json_line(u);
        BOOST_TEST_REQUIRE(line.find('\n') == std::string::npos);
        const auto back = bs::parse_json_line(line, i + 1);
        BOOST_TEST_REQUIRE((user_of(back) == u), line);
    }
    BOOST_TEST(bs::json_line(bs::generated_user(0)).find("\"tenant\"") != std::string::npos,
               "one tenant: the flat form");

    permit::user_create mixed{
        .key = "m",
        .role_assignments = {{.role = "a", .tenant = "t1"},
                             {.role = "b"},
                             {.role = "c", .tenant = "t1", .resource_instance = "doc:1"}}};
    const auto line = bs::json_line(mixed);
    BOOST_TEST(line.find("role_assignments") != std::string::npos, line);
    BOOST_TEST((user_of(bs::parse_json_line(line, 1)) == mixed));

    const permit::user_create bare{.key = "b", .role_assignments = {{.role = "viewer"}}};
    BOOST_TEST((user_of(bs::parse_json_line(bs::json_line(bare), 1)) == bare));
}

// ---------------------------------------------------------------------------------------------
// Shards

BOOST_AUTO_TEST_CASE(a_shard_spec_is_k_of_n) {
    std::string error;
    const auto spec = bs::parse_shard_spec("2/4", error);
    BOOST_TEST_REQUIRE(spec.has_value());
    BOOST_TEST(spec->index == 2u);
    BOOST_TEST(spec->count == 4u);
    BOOST_TEST(bs::to_string(*spec) == "2/4");

    for (const auto* bad : {"", "4", "4/4", "5/4", "0/0", "-1/4", "1/-4", " 1/4", "1/4x", "a/b",
                            "1//4", "99999999999/1"}) {
        error.clear();
        BOOST_TEST(!bs::parse_shard_spec(bad, error), bad);
        BOOST_TEST(error.starts_with("invalid shard \"" + std::string(bad) + "\": "), error);
    }
    bs::parse_shard_spec("4/4", error);
    BOOST_TEST(error ==
               R"(invalid shard "4/4": K must be less than N (shards are numbered from 0))");
}

BOOST_AUTO_TEST_CASE(the_shard_hash_is_fnv_1a_64_and_stable) {
    // Published FNV-1a test vectors: the hash must not change between versions of the tool.
    BOOST_TEST(bs::fnv1a_64("") == 0xcbf29ce484222325u);
    BOOST_TEST(bs::fnv1a_64("a") == 0xaf63dc4c8601ec8cu);
    BOOST_TEST(bs::fnv1a_64("foobar") == 0x85944171f73967e8u);
    static_assert(bs::in_shard("anything", {0, 1}), "one shard holds everything");
}

BOOST_AUTO_TEST_CASE(shards_split_a_set_of_keys_into_disjoint_parts_that_cover_it) {
    for (const unsigned n : {2u, 3u, 7u, 16u}) {
        std::vector<int> sizes(n, 0);
        for (std::uint64_t i = 0; i < 20000; ++i) {
            const auto key = bs::generated_user(i).key;
            unsigned owners = 0;
            for (unsigned k = 0; k < n; ++k) {
                if (bs::in_shard(key, {k, n})) {
                    ++owners;
                    ++sizes[k];
                }
            }
            BOOST_TEST_REQUIRE(owners == 1u, key << " in " << owners << " shards of " << n);
        }
        for (const int size : sizes)
            BOOST_TEST((size > 20000 / static_cast<int>(n) * 8 / 10), "balanced: " << size);
    }
}

// ---------------------------------------------------------------------------------------------
// Resume

BOOST_AUTO_TEST_CASE(the_watermark_is_the_first_line_not_complete) {
    using enum bs::line_outcome;
    bs::ack_tracker t;
    BOOST_TEST(t.watermark() == 1u);
    for (std::uint64_t line : {1, 2, 3, 5, 6}) t.submit(line);  // line 4 was blank
    BOOST_TEST(t.outstanding() == 5u);
    BOOST_TEST(t.complete(3, synced));
    BOOST_TEST(t.complete(2, rejected));
    BOOST_TEST(t.watermark() == 1u, "line 1 is still in flight");
    BOOST_TEST(t.complete(1, skipped));
    BOOST_TEST(t.watermark() == 5u, "the blank line 4 counts as done");
    BOOST_TEST(t.complete(6, synced));
    BOOST_TEST(t.watermark() == 5u);
    BOOST_TEST(!t.complete(6, synced), "twice");
    BOOST_TEST(!t.complete(99, synced), "never submitted");
    BOOST_TEST(!t.complete(0, synced), "never submitted");
    BOOST_TEST(t.complete(5, synced));
    BOOST_TEST(t.watermark() == 7u);
    BOOST_TEST(t.outstanding() == 0u);
    BOOST_CHECK_THROW(t.submit(6), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_tracker_counts_only_the_lines_below_the_watermark) {
    using enum bs::line_outcome;
    bs::ack_tracker t;
    for (std::uint64_t line = 1; line <= 6; ++line) t.submit(line);
    t.complete(2, synced, 2);
    t.complete(3, rejected);
    t.complete(5, synced, 1);
    BOOST_TEST((t.settled() == bs::settled_lines{}), "line 1 holds everything back");
    t.complete(1, synced, 1);
    BOOST_TEST(
        (t.settled() ==
         bs::settled_lines{.users_synced = 2, .users_rejected = 1, .assignments_synced = 3}));
    BOOST_TEST(t.watermark() == 4u);
    t.complete(4, skipped);
    t.complete(6, synced, 5);
    BOOST_TEST(
        (t.settled() ==
         bs::settled_lines{
             .users_synced = 4, .users_rejected = 1, .users_skipped = 1, .assignments_synced = 9}));
}

BOOST_AUTO_TEST_CASE(a_tracker_for_a_resumed_run_starts_at_its_checkpoint) {
    bs::ack_tracker t(1000);
    BOOST_TEST(t.watermark() == 1000u);
    BOOST_CHECK_THROW(t.submit(999), std::invalid_argument);
    t.submit(1000);
    t.submit(1001);
    t.complete(1001, bs::line_outcome::synced);
    BOOST_TEST(t.watermark() == 1000u);
}

BOOST_AUTO_TEST_CASE(the_tracker_holds_only_the_lines_in_flight) {
    bs::ack_tracker t;
    // A window of 100 lines in flight over a million: completed in reverse within each window.
    for (std::uint64_t base = 1; base <= 1000000; base += 100) {
        for (std::uint64_t i = 0; i < 100; ++i) t.submit(base + i);
        BOOST_TEST_REQUIRE(t.outstanding() == 100u);
        BOOST_TEST_REQUIRE(t.tracked() == 100u);
        for (std::uint64_t i = 100; i-- > 0;) t.complete(base + i, bs::line_outcome::synced);
        BOOST_TEST_REQUIRE(t.tracked() == 0u);
    }
    BOOST_TEST(t.watermark() == 1000001u);
    BOOST_TEST(t.settled().users_synced == 1000000u);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_is_saved_atomically_and_loaded_back) {
    temp_dir dir;
    const auto input = dir.write("users.csv", "key,email,first_name,last_name,tenant,role\n");
    std::string error;
    const auto identity = bs::identify_input(input, error);
    BOOST_TEST_REQUIRE(identity.has_value(), error);
    BOOST_TEST(identity->size == fs::file_size(input));
    BOOST_TEST(fs::path(identity->path).is_absolute());

    bs::checkpoint c{.input = *identity, .shard = {1, 4}, .next_line = 12345};
    c.totals = {.users_synced = 12000,
                .users_rejected = 3,
                .users_skipped = 36000,
                .tenants_synced = 8,
                .assignments_synced = 15000,
                .http_requests = 12,
                .retries = 2,
                .rate_limited = 1,
                .elapsed = 65432ms};
    const auto file = dir.path() / "run.checkpoint";
    BOOST_TEST_REQUIRE(bs::save_checkpoint(c, file, error), error);
    BOOST_TEST(!fs::exists(dir.path() / "run.checkpoint.tmp"));
    auto loaded = bs::load_checkpoint(file, error);
    BOOST_TEST_REQUIRE(loaded.has_value(), error);
    BOOST_TEST(error.empty());
    BOOST_TEST((*loaded == c));

    c.next_line = 20000;
    BOOST_TEST_REQUIRE(bs::save_checkpoint(c, file, error), error);
    BOOST_TEST(bs::load_checkpoint(file, error)->next_line == 20000u, "replaced");

    error = "stale";
    BOOST_TEST(!bs::load_checkpoint(dir.path() / "none", error), "no file: a first run");
    BOOST_TEST(error.empty());
}

BOOST_AUTO_TEST_CASE(a_corrupt_checkpoint_is_an_error_not_a_fresh_start) {
    temp_dir dir;
    std::string error;
    BOOST_TEST(!bs::load_checkpoint(dir.write("torn", R"({"format":"permit-bulk-sync)"), error));
    BOOST_TEST(error.starts_with("checkpoint " + (dir.path() / "torn").string() + " is corrupt: "),
               error);

    bs::checkpoint c{.input = bs::identify_generated(1000, 1)};
    auto doc = bs::to_json(c);
    doc["totals"].as_object().erase("retries");
    BOOST_TEST(!bs::load_checkpoint(dir.write("field", boost::json::serialize(doc)), error));
    BOOST_TEST(error.ends_with(R"(is corrupt: "retries" is missing or not a whole number)"), error);

    doc = bs::to_json(c);
    doc["next_line"] = -3;
    BOOST_TEST(!bs::load_checkpoint(dir.write("negative", boost::json::serialize(doc)), error));
    BOOST_TEST(error.ends_with(R"("next_line" is missing or not a whole number)"), error);

    doc = bs::to_json(c);
    doc["version"] = 2;
    BOOST_TEST(!bs::load_checkpoint(dir.write("future", boost::json::serialize(doc)), error));
    BOOST_TEST(error.ends_with("version 2 is not supported (this tool reads version 1)"), error);

    BOOST_TEST(!bs::load_checkpoint(dir.write("other", R"({"users":1})"), error));
    BOOST_TEST(error.ends_with("not a permit-bulk-sync checkpoint"), error);
}

BOOST_AUTO_TEST_CASE(resuming_with_a_different_file_or_shard_is_refused) {
    temp_dir dir;
    std::string head(100 * 1024, 'a');
    const auto path = dir.write("users.jsonl", head);
    std::string error;
    const auto original = *bs::identify_input(path, error);
    const bs::checkpoint c{.input = original, .shard = {0, 2}, .next_line = 10};
    BOOST_TEST(bs::check_resume(c, original, {0, 2}, error), error);

    // Same size, different first bytes.
    head[10] = 'b';
    dir.write("users.jsonl", head);
    BOOST_TEST(!bs::check_resume(c, *bs::identify_input(path, error), {0, 2}, error));
    BOOST_TEST(error == "cannot resume: " + original.path +
                            " has changed since the checkpoint (its start differs)");

    // A change past the first 64 KiB with the same size is not seen: the fingerprint is the start.
    head[10] = 'a';
    head[90 * 1024] = 'b';
    dir.write("users.jsonl", head);
    BOOST_TEST(bs::check_resume(c, *bs::identify_input(path, error), {0, 2}, error));

    dir.write("users.jsonl", head + "more");
    BOOST_TEST(!bs::check_resume(c, *bs::identify_input(path, error), {0, 2}, error));
    BOOST_TEST(error.find("has changed since the checkpoint (size 102,400 then, 102,404 now)") !=
                   std::string::npos,
               error);

    const auto other = dir.write("other.jsonl", head);
    BOOST_TEST(!bs::check_resume(c, *bs::identify_input(other, error), {0, 2}, error));
    BOOST_TEST(error.starts_with("cannot resume: the checkpoint is for " + original.path), error);

    BOOST_TEST(!bs::check_resume(c, original, {1, 2}, error));
    BOOST_TEST(error == "cannot resume: the checkpoint is for shard 0/2, not 1/2");

    const bs::checkpoint generated{.input = bs::identify_generated(1000, 1)};
    BOOST_TEST(!bs::check_resume(generated, bs::identify_generated(1000, 2), {}, error));
    BOOST_TEST(bs::check_resume(generated, bs::identify_generated(1000, 1), {}, error));
}

// ---------------------------------------------------------------------------------------------
// Report

BOOST_AUTO_TEST_CASE(counts_and_durations_read_like_a_human_wrote_them) {
    BOOST_TEST(bs::format_count(0) == "0");
    BOOST_TEST(bs::format_count(999) == "999");
    BOOST_TEST(bs::format_count(41250) == "41,250");
    BOOST_TEST(bs::format_count(1234567) == "1,234,567");
    BOOST_TEST(bs::format_duration(400ms) == "0.4 s");
    BOOST_TEST(bs::format_duration(12345ms) == "12.3 s");
    BOOST_TEST(bs::format_duration(125s) == "2 min 05 s");
    BOOST_TEST(bs::format_duration(3720s) == "1 h 02 min");
}

BOOST_AUTO_TEST_CASE(the_progress_bar_shows_counts_rate_eta_and_retries) {
    const bs::sync_totals t{.users_synced = 41000, .users_rejected = 250, .retries = 3};
    const auto line = bs::progress_bar_line(t, 100000, 8210.4);
    BOOST_TEST(
        line.ends_with("] 41,250 / 100,000 users  8,210 users/s  ETA 8 s  retries 3  429s 0"),
        line);
    BOOST_TEST(line.starts_with("[############......"), line);
    BOOST_TEST(line.size() <= 100u);

    const auto unknown = bs::progress_bar_line(t, std::nullopt, 8210);
    BOOST_TEST(unknown == "41,250 users  8,210 users/s  retries 3  429s 0");

    const bs::sync_totals huge{
        .users_synced = UINT64_MAX / 2, .retries = UINT64_MAX, .rate_limited = UINT64_MAX};
    BOOST_TEST(bs::progress_bar_line(huge, UINT64_MAX, 1e12).size() <= 100u);
    BOOST_TEST(bs::progress_bar_line(t, 100000, 0).find("ETA") == std::string::npos,
               "no rate yet: no ETA");
}

BOOST_AUTO_TEST_CASE(the_plain_progress_line_suits_a_log) {
    const bs::sync_totals t{.users_synced = 41250, .rate_limited = 2};
    BOOST_TEST(
        bs::progress_plain_line(t, 100000, 8210) ==
        "progress: 41,250 / 100,000 users (41.2%), 8,210 users/s, ETA 8 s, retries 0, 429s 2");
    BOOST_TEST(bs::progress_plain_line(t, std::nullopt, 8210) ==
               "progress: 41,250 users, 8,210 users/s, retries 0, 429s 2");
}

BOOST_AUTO_TEST_CASE(the_summary_has_every_figure_as_text_and_as_json) {
    const bs::sync_totals t{.users_synced = 100000,
                            .users_rejected = 12,
                            .tenants_synced = 8,
                            .assignments_synced = 125012,
                            .http_requests = 45,
                            .retries = 3,
                            .rate_limited = 1,
                            .elapsed = 12500ms};
    const auto text = bs::summary_text(t);
    for (const auto* expected :
         {"users synced", "100,000", "tenants synced", "assignments synced", "125,012", "rejected",
          "HTTP requests", "retries", "429 responses", "12.5 s", "users/s", "8,000"})
        BOOST_TEST(text.find(expected) != std::string::npos, expected << " in\n" << text);
    BOOST_TEST(text.find("other shards") == std::string::npos);
    BOOST_TEST(bs::summary_text({.users_skipped = 5}).find("other shards") != std::string::npos);

    const auto j = bs::summary_json(t);
    BOOST_TEST(j.at("users_synced").as_uint64() == 100000u);
    BOOST_TEST(j.at("users_rejected").as_uint64() == 12u);
    BOOST_TEST(j.at("tenants_synced").as_uint64() == 8u);
    BOOST_TEST(j.at("assignments_synced").as_uint64() == 125012u);
    BOOST_TEST(j.at("http_requests").as_uint64() == 45u);
    BOOST_TEST(j.at("retries").as_uint64() == 3u);
    BOOST_TEST(j.at("rate_limited").as_uint64() == 1u);
    BOOST_TEST(j.at("elapsed_seconds").as_double() == 12.5);
    BOOST_TEST(j.at("users_per_second").as_double() == 8000.0);
}

BOOST_AUTO_TEST_CASE(totals_of_runs_add_up) {
    bs::sync_totals a{.users_synced = 1, .retries = 2, .elapsed = 3s};
    a += {.users_synced = 10, .users_rejected = 1, .elapsed = 1s};
    BOOST_TEST(a.users_synced == 11u);
    BOOST_TEST(a.users_done() == 12u);
    BOOST_TEST(a.retries == 2u);
    BOOST_TEST((a.elapsed == 4s));
}

// ---------------------------------------------------------------------------------------------
// Command line

namespace {

struct command_line {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string error;

    std::optional<bs::tool_options> parse() {
        std::vector<const char*> argv{"permit-bulk-sync"};
        for (const auto& a : args) argv.push_back(a.c_str());
        error.clear();
        return bs::parse_options(
            static_cast<int>(argv.size()), argv.data(),
            [this](const char* name) -> const char* {
                const auto it = env.find(name);
                return it == env.end() ? nullptr : it->second.c_str();
            },
            error);
    }
};

const std::string secret = "permit_key_SECRETsecret123";

}  // namespace

BOOST_AUTO_TEST_CASE(every_option_is_parsed) {
    command_line cl{{"--api-url", "http://127.0.0.1:7000", "--pdp-url=http://127.0.0.1:7001",
                     "--api-key", secret, "--report", "r.json", "--rejects=rej.txt", "--resume",
                     "cp.json", "--shard", "1/3", "--dry-run", "users.csv"}};
    const auto o = cl.parse();
    BOOST_TEST_REQUIRE(o.has_value(), cl.error);
    BOOST_TEST(*o->input == "users.csv");
    BOOST_TEST(!o->generate);
    BOOST_TEST(*o->api_url == "http://127.0.0.1:7000");
    BOOST_TEST(*o->pdp_url == "http://127.0.0.1:7001");
    BOOST_TEST(*o->api_key == secret);
    BOOST_TEST(*o->report == "r.json");
    BOOST_TEST(*o->rejects == "rej.txt");
    BOOST_TEST(*o->resume == "cp.json");
    BOOST_TEST((o->shard == bs::shard_spec{1, 3}));
    BOOST_TEST(o->dry_run);
    BOOST_TEST(!o->help);

    command_line gen{{"--generate", "100000", "--seed=7", "--output", "users.jsonl"}};
    const auto g = gen.parse();
    BOOST_TEST_REQUIRE(g.has_value(), gen.error);
    BOOST_TEST(*g->generate == 100000u);
    BOOST_TEST(g->seed == 7u);
    BOOST_TEST(*g->output == "users.jsonl");
    BOOST_TEST(!g->input);
    BOOST_TEST((g->shard == bs::shard_spec{0, 1}));
    BOOST_TEST(!g->api_key);

    command_line dashes{{"--", "--odd-name.csv"}};
    BOOST_TEST(*dashes.parse()->input == "--odd-name.csv");
}

BOOST_AUTO_TEST_CASE(the_rate_options_are_parsed) {
    command_line scale{{"--rate-time-scale", "60", "users.csv"}};
    const auto s = scale.parse();
    BOOST_TEST_REQUIRE(s.has_value(), scale.error);
    BOOST_TEST(*s->rate_time_scale == 60.0);
    BOOST_TEST(!s->redis_url);
    for (const char* bad : {"0", "-2", "fast", "60x"}) {
        command_line cl{{"--rate-time-scale", bad, "users.csv"}};
        BOOST_TEST(!cl.parse().has_value(), bad);
        BOOST_TEST(cl.error == "--rate-time-scale needs a positive number");
    }

    command_line redis{
        {"--redis", "redis://:pw@127.0.0.1:6390/2", "--redis-prefix", "fleet:", "users.csv"}};
    const auto r = redis.parse();
#ifdef PERMIT_WITH_REDIS
    BOOST_TEST_REQUIRE(r.has_value(), redis.error);
    BOOST_TEST(*r->redis_url == "redis://:pw@127.0.0.1:6390/2");
    BOOST_TEST(*r->redis_prefix == "fleet:");
    command_line http{{"--redis", "http://127.0.0.1:6379", "users.csv"}};
    BOOST_TEST(!http.parse().has_value());
    BOOST_TEST(http.error == "--redis needs a redis:// URL");
#else
    BOOST_TEST(!r.has_value());
    BOOST_TEST(redis.error.find("PERMIT_WITH_REDIS=ON") != std::string::npos, redis.error);
    // The URL may hold a password: it is never repeated.
    BOOST_TEST(redis.error.find("pw@") == std::string::npos, redis.error);
#endif

    command_line prefix_alone{{"--redis-prefix", "fleet:", "users.csv"}};
    BOOST_TEST(!prefix_alone.parse().has_value());
    BOOST_TEST(prefix_alone.error == "--redis-prefix names keys in Redis, so it needs --redis URL");
}

BOOST_AUTO_TEST_CASE(proxy_settings_come_from_options_else_from_curls_variables) {
    command_line cl{
        {"--https-proxy", "http://proxy.corp:3128", "--no-proxy=.internal,10.0.0.0/8", "users.csv"},
        {{"https_proxy", "http://other:1"}, {"HTTP_PROXY", "http://plain:8080"}}};
    auto o = cl.parse();
    BOOST_TEST_REQUIRE(o.has_value(), cl.error);
    BOOST_TEST(o->proxy.https_proxy == "http://proxy.corp:3128", "an option beats the variable");
    BOOST_TEST(o->proxy.http_proxy == "http://plain:8080");
    BOOST_TEST(o->proxy.no_proxy == ".internal,10.0.0.0/8");

    cl.args = {"users.csv"};
    cl.env = {{"https_proxy", "http://lower:1"},
              {"HTTPS_PROXY", "http://upper:2"},
              {"NO_PROXY", "localhost"}};
    o = cl.parse();
    BOOST_TEST_REQUIRE(o.has_value(), cl.error);
    BOOST_TEST(o->proxy.https_proxy == "http://lower:1", "the lowercase variable wins, as in curl");
    BOOST_TEST(o->proxy.no_proxy == "localhost");

    // In a CGI program, HTTP_PROXY comes from the request's Proxy header (httpoxy.org).
    cl.env = {{"HTTP_PROXY", "http://attacker:1"}, {"REQUEST_METHOD", "GET"}};
    BOOST_TEST(cl.parse()->proxy.http_proxy.empty());

    cl.env = {};
    cl.args = {"--https-proxy", "https://user:pw-SECRET@proxy:3128", "users.csv"};
    BOOST_TEST(!cl.parse());
    BOOST_TEST(cl.error.find("not supported") != std::string::npos, cl.error);
    BOOST_TEST(cl.error.find("pw-SECRET") == std::string::npos, cl.error);

    cl.args = {"--http-proxy", "http://a:1", "--http-proxy", "http://b:2", "users.csv"};
    BOOST_TEST(!cl.parse());
    BOOST_TEST(cl.error == "--http-proxy given twice");
}

BOOST_AUTO_TEST_CASE(connection_settings_fall_back_to_the_environment) {
    command_line cl{{"users.csv"},
                    {{"PERMIT_API_URL", "http://api.local"},
                     {"PERMIT_PDP_URL", "http://pdp.local"},
                     {"PERMIT_API_KEY", secret}}};
    auto o = cl.parse();
    BOOST_TEST_REQUIRE(o.has_value(), cl.error);
    BOOST_TEST(*o->api_url == "http://api.local");
    BOOST_TEST(*o->pdp_url == "http://pdp.local");
    BOOST_TEST(*o->api_key == secret);

    cl.args = {"users.csv", "--api-url", "https://api.permit.io", "--api-key", "permit_key_other"};
    o = cl.parse();
    BOOST_TEST_REQUIRE(o.has_value(), cl.error);
    BOOST_TEST(*o->api_url == "https://api.permit.io", "an option beats the environment");
    BOOST_TEST(*o->api_key == "permit_key_other");

    cl.env = {{"PERMIT_API_URL", ""}};
    cl.args = {"users.csv"};
    BOOST_TEST(!cl.parse()->api_url, "an empty variable is unset");

    cl.env = {{"PERMIT_PDP_URL", "localhost:7766"}};
    BOOST_TEST(!cl.parse());
    BOOST_TEST(cl.error == "PERMIT_PDP_URL needs an http:// or https:// URL");
}

BOOST_AUTO_TEST_CASE(help_wins_over_everything_else) {
    command_line cl{{"--bogus", "--help"}};
    const auto o = cl.parse();
    BOOST_TEST_REQUIRE(o.has_value(), cl.error);
    BOOST_TEST(o->help);
    cl.args = {"-h"};
    BOOST_TEST(cl.parse()->help);
    BOOST_TEST(bs::usage().find("--generate N") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_command_line_is_an_error_message) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{}, "no input: give a users file or --generate N (see --help)"},
        {{"a.csv", "b.csv"}, "more than one input file given (one users file per run)"},
        {{"a.csv", "--generate", "5"}, "give a users file or --generate N, not both"},
        {{"a.csv", "--frobnicate"}, "unknown option --frobnicate (see --help)"},
        {{"a.csv", "--report"}, "--report needs a value"},
        {{"a.csv", "--report", "--dry-run"}, "--report needs a value"},
        {{"a.csv", "--report="}, "--report needs a value"},
        {{"a.csv", "--dry-run=yes"}, "--dry-run takes no value"},
        {{"--generate", "0"}, "--generate needs a whole number of users, at least 1"},
        {{"--generate", "1e6"}, "--generate needs a whole number of users, at least 1"},
        {{"--generate", "99999999999999999999999"},
         "--generate needs a whole number of users, at least 1"},
        {{"--generate", "5", "--seed", "x"}, "--seed needs a whole number"},
        {{"a.csv", "--seed", "3"}, "--seed chooses generated users, so it needs --generate N"},
        {{"a.csv", "--output", "o.jsonl"},
         "--output writes generated users, so it needs --generate N"},
        {{"a.csv", "--shard", "4/4"},
         R"(invalid shard "4/4": K must be less than N (shards are numbered from 0))"},
        {{"a.csv", "--shard", "0/2", "--shard", "1/2"}, "--shard given twice"},
        {{"a.csv", "--report", "x", "--report", "y"}, "--report given twice"},
        {{"a.csv", "--api-url", "api.permit.io"}, "--api-url needs an http:// or https:// URL"},
    };
    for (const auto& [args, expected] : cases) {
        command_line cl{args};
        BOOST_TEST(!cl.parse(), expected);
        BOOST_TEST(cl.error == expected);
    }
}

BOOST_AUTO_TEST_CASE(the_api_key_never_appears_in_usage_or_errors) {
    BOOST_TEST(bs::usage().find("permit_key_") == std::string::npos);
    const std::vector<std::vector<std::string>> mistakes{
        {"users.csv", secret},                 // the key given as a second file
        {"users.csv", "--api-kye=" + secret},  // a misspelt option
        {"users.csv", "--api-key", secret, "--shard", secret},
        {"users.csv", "--api-key", secret, "--generate", "5"},
        {"--shard", "permit_key_unrelated/2", "users.csv"},
        {"users.csv", "--api-key", secret, "--api-key", secret},
        {"users.csv", "--api-key="},
    };
    for (const bool from_environment : {false, true}) {
        for (const auto& args : mistakes) {
            command_line cl{args};
            if (from_environment) cl.env = {{"PERMIT_API_KEY", secret}};
            BOOST_TEST_REQUIRE(!cl.parse());
            BOOST_TEST(!cl.error.empty());
            BOOST_TEST(cl.error.find(secret) == std::string::npos, cl.error);
            BOOST_TEST(cl.error.find("SECRET") == std::string::npos, cl.error);
            BOOST_TEST(cl.error.find("permit_key_unrelated") == std::string::npos, cl.error);
        }
    }
    // A key that does not look like a Permit key is hidden too, once it is known.
    command_line cl{{"users.csv", "--shard", "hunter2"}, {{"PERMIT_API_KEY", "hunter2"}}};
    BOOST_TEST(!cl.parse());
    BOOST_TEST(cl.error.find("hunter2") == std::string::npos, cl.error);
}

BOOST_AUTO_TEST_CASE(a_failure_about_the_user_is_a_reject_and_any_other_stops_the_run) {
    using permit_bulk_sync::classify_failure;
    using permit_bulk_sync::failure_kind;
    auto failed_with = [](unsigned status) {
        permit::diagnostics d;
        d.status = status;
        return classify_failure(d);
    };
    for (const unsigned status : {400u, 404u, 409u, 422u})
        BOOST_TEST((failed_with(status) == failure_kind::user_refused), status);
    // A wrong key, the pace, a timeout, the server, or no answer at all (status 0): every
    // following user would fail the same way, and none of them may be marked done.
    for (const unsigned status : {0u, 401u, 403u, 408u, 429u, 500u, 502u, 503u})
        BOOST_TEST((failed_with(status) == failure_kind::run_cannot_continue), status);
}

BOOST_AUTO_TEST_SUITE_END()
