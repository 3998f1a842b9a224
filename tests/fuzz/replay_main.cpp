// Replays the committed corpus of every fuzz target (corpus/<target>/*) without libFuzzer, so
// that the normal and the sanitizer builds run each seed and each past crash as a regression test.
//
// Usage: permit_fuzz_replay CORPUS_ROOT [TARGET [FILE...]]: every target's directory under
// CORPUS_ROOT, or one target's, or the given files for one target (to reproduce a crash).

// The targets in one translation unit: Beast, Asio and JSON are compiled once.
#include "bulk_sync_lines.cpp"
#include "emulator_request.cpp"
#include "http_response.cpp"
#include "json_models.cpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Runs `target` on the file; false, with the reason on stderr, if it threw.
bool replay(const permit_fuzz::registered_target& target, const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << target.name << ": cannot read " << file.string() << "\n";
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    try {
        // Through a copy the exact size of the input, so that AddressSanitizer sees a read past
        // its end, as it would under libFuzzer.
        const auto copy = std::make_unique<std::uint8_t[]>(bytes.size());
        std::copy(bytes.begin(), bytes.end(), copy.get());
        target.run(copy.get(), bytes.size());
        return true;
    } catch (const std::exception& e) {
        std::cerr << target.name << ": " << file.string() << ": uncaught exception: " << e.what()
                  << "\n";
    } catch (...) {
        std::cerr << target.name << ": " << file.string() << ": uncaught exception\n";
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " CORPUS_ROOT [TARGET [FILE...]]\n";
        return 2;
    }
    const fs::path root = argv[1];
    const std::string only = argc > 2 ? argv[2] : "";
    int failures = 0;
    bool matched = false;
    for (const auto& target : permit_fuzz::registry()) {
        if (!only.empty() && only != target.name) continue;
        matched = true;
        std::vector<fs::path> files;
        if (argc > 3) {
            files.assign(argv + 3, argv + argc);
        } else {
            const auto dir = root / target.name;
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator(dir, ec))
                if (entry.is_regular_file()) files.push_back(entry.path());
            // An empty or missing corpus would make this test pass without testing anything.
            if (ec || files.empty()) {
                std::cerr << target.name << ": no corpus in " << dir.string() << "\n";
                ++failures;
                continue;
            }
            std::sort(files.begin(), files.end());
        }
        // The empty input too: every target must accept it.
        target.run(nullptr, 0);
        int failed = 0;
        for (const auto& file : files)
            if (!replay(target, file)) ++failed;
        std::cout << target.name << ": " << files.size() << " inputs, " << failed << " failed\n";
        failures += failed;
    }
    if (!matched) {
        std::cerr << "no fuzz target named " << only << "\n";
        return 2;
    }
    return failures == 0 ? 0 : 1;
}
