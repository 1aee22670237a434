import Foundation
import Repro
import Tensor
import Plumbing
import Book

/// Encoding throughput of the byte-level BPE on the KoAlpaca text (instruction, input and output of every record),
/// one thread: the first pass (every word new to the cache) and the best of five warm passes.
enum TokenizerBench: BenchSection {
    static let name = "tokenizer"

    static func run(options: BenchOptions) throws {
        let quick = options.quick
        let data = FileIO.isDirectory("../shared/data") ? "../shared/data" : "data"
        let file = data + "/koalpaca/partial_prefix_1040/ko_alpaca_data.json"
        guard FileIO.exists(file) else { print("tokenizer: \(file) not found, section skipped"); return }
        let lines = try Records.readJSONArray(file).flatMap { r in ["instruction", "input", "output"].compactMap { r[$0]?.string } }
            .filter { !$0.isEmpty }
        let megabytes = Double(lines.reduce(0) { $0 + $1.utf8.count }) / 1e6
        // Chapter 02's tokenizer when it has run, else one trained here the same way (4,000 ids).
        let trained = "artifacts/02-prompting/tokenizer.json"
        let tokenizer = FileIO.exists(trained) ? try BPETokenizer(contentsOf: trained) : try BPETokenizer.train(texts: lines, vocabSize: 4000)
        var ids = 0
        let firstStart = now()
        for line in lines { ids += tokenizer.encode(line).count }
        let first = now() - firstStart
        let warm = bestSeconds(repeats: quick ? 2 : 5, minimum: 0) { for line in lines { _ = tokenizer.encode(line) } }
        var table = Table(title: "BPE encoding, one thread, \(lines.count) KoAlpaca fields (\(Format.fixed(megabytes, 2)) MB of UTF-8), \(tokenizer.vocabularySize) ids",
                          columns: ["pass", "seconds", "MB/s", "tokens/s"])
        table.add(["first (cold word cache)", Format.fixed(first, 3), Format.fixed(megabytes / first, 1), Format.fixed(Double(ids) / first, 0)])
        table.add(["warm (best of repeats)", Format.fixed(warm, 3), Format.fixed(megabytes / warm, 1), Format.fixed(Double(ids) / warm, 0)])
        table.notes = ["Python `tokenizers` on the same text and tokenizer.json: python3 tools/fixtures/make_tokenizer_fixtures.py --bench artifacts/02-prompting/tokenizer.json --koalpaca \(file) (prints its MB/s)."]
        print(table.plainText)
    }
}
