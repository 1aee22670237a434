// `inspect tokenize`: the ids a tokenizer.json gives each line of a text file, one JSON array per line (the format
// tools/fixtures/make_tokenizer_fixtures.py --check compares with Hugging Face `tokenizers`), or with --summary the
// encode speed. `inspect train-tokenizer`: train a byte-level BPE on the lines of text files and save it.
import ArgumentParser
import Repro
import Tensor
import Plumbing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Print the token ids of each line of a UTF-8 text file as a JSON array.")

    @Option(help: "A Hugging Face tokenizer.json (byte-level BPE, as Polyglot-Ko's).")
    var tokenizer: String

    @Option(name: .customLong("text-file"), help: "UTF-8 text; each line is encoded on its own (a BOM, CR before LF and trailing blank lines are dropped).")
    var textFile: String

    @Flag(help: "Print lines, bytes, tokens and the encode speed (one thread) instead of the ids.")
    var summary = false

    func run() throws {
        let tokenizer = try BPETokenizer(contentsOf: self.tokenizer)
        let lines = try readLines(textFile)
        if summary {
            let bytes = lines.reduce(0) { $0 + $1.utf8.count }
            var tokens = 0, first = 0.0, best = Double.infinity
            for pass in 0..<6 {       // the first pass also fills the word cache: reported apart
                let start = monotonicSeconds()
                tokens = lines.reduce(0) { $0 + tokenizer.encode($1).count }
                let seconds = monotonicSeconds() - start
                if pass == 0 { first = seconds } else { best = min(best, seconds) }
            }
            let mb = Double(bytes) / 1e6
            print("\(lines.count) lines, \(bytes) bytes, \(tokens) tokens (\(format2(Double(bytes) / Double(max(tokens, 1)))) bytes/token); "
                  + "encode, one thread: first pass \(format2(first * 1e3)) ms (\(format2(mb / first)) MB/s), "
                  + "then best of 5 \(format2(best * 1e3)) ms (\(format2(mb / best)) MB/s)")
            return
        }
        var out = ""
        for line in lines {
            out += "["
            for (i, id) in tokenizer.encode(line).enumerated() { out += i == 0 ? String(id) : "," + String(id) }
            out += "]\n"
            if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
        }
        print(out, terminator: "")
    }
}

struct TrainTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-tokenizer",
        abstract: "Train a byte-level BPE (Polyglot-Ko's layout) on the lines of text files and save tokenizer.json.")

    @Option(name: .customLong("text-file"), help: "UTF-8 text; each line is one training text. Repeatable.")
    var textFiles: [String]

    @Option(help: "Ids in all, the three trailing special tokens included (Polyglot-Ko: 30003).")
    var vocabSize: Int

    @Option(help: "Where to write tokenizer.json.")
    var output: String

    func run() throws {
        var texts: [String] = []
        for file in textFiles { texts += try readLines(file) }
        let start = monotonicSeconds()
        let tokenizer = try BPETokenizer.train(texts: texts, vocabSize: vocabSize)
        let seconds = monotonicSeconds() - start
        try tokenizer.save(to: output)
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        print("trained on \(texts.count) lines (\(bytes) bytes) in \(format2(seconds)) s: \(tokenizer.merges.count) merges, "
              + "\(tokenizer.vocabularySize) ids; wrote \(output)")
    }
}

/// The lines of a UTF-8 file by TextFile's rule (a leading BOM skipped, CRLF read as LF, trailing blank lines
/// ignored); invalid UTF-8 is an error naming the file, the line and the byte.
func readLines(_ path: String) throws -> [String] {
    try TextFile.read(path).lines.map(\.text)
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func format2(_ x: Double) -> String {
    let hundredths = Int((x * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
