// `inspect rouge --pairs FILE.jsonl --level syllable|eojeol`: ROUGE-1 and ROUGE-L of prediction/reference pairs, one
// JSON object per line (chapter 05's cells/<id>/summaries.jsonl is such a file), then their mean.
import ArgumentParser
import Repro
import Tensor
import Plumbing

extension RougeLevel: ExpressibleByArgument {}

struct RougeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rouge",
        abstract: "Score {\"prediction\", \"reference\"} pairs (JSON Lines) with ROUGE-1 and ROUGE-L.",
        discussion: "Levels: syllable (every non-space character), eojeol (whitespace words, punctuation split off), whitespace (words as they are, korouge-score's tokenizer), ascii (rouge-score's default, which scores Korean 0).")

    @Option(help: "JSON Lines: one {\"prediction\": ..., \"reference\": ...} per line.")
    var pairs: String

    @Option(help: "Tokenization: syllable, eojeol, whitespace or ascii.")
    var level: RougeLevel = .syllable

    func run() throws {
        var sums = [Double](repeating: 0, count: 6)
        let records = try Records.readJSONLines(pairs)
        // A mean over no pairs is no score: say so rather than print 0.
        guard !records.isEmpty else { throw RecordError(file: pairs, problem: "no pairs (the file has no JSON line)") }
        for (i, record) in records.enumerated() {
            guard let prediction = record["prediction"]?.string, let reference = record["reference"]?.string else {
                throw RecordError(file: pairs, record: i, problem: "needs string fields \"prediction\" and \"reference\"")
            }
            let score = Rouge.score(prediction: prediction, reference: reference, level: level)
            let values = [score.rouge1.precision, score.rouge1.recall, score.rouge1.f1,
                          score.rougeL.precision, score.rougeL.recall, score.rougeL.f1]
            for k in values.indices { sums[k] += values[k] }
            print(RougeCommand.json(values, extra: [("record", .number(Double(i)))]).serialized())
        }
        let n = Double(records.count)
        print(RougeCommand.json(sums.map { $0 / n }, extra: [("mean_of", .number(Double(records.count))),
                                                                ("level", .string(level.rawValue))]).serialized())
    }

    /// {extra…, "rouge1": {precision, recall, f1}, "rougeL": {…}} from six numbers.
    static func json(_ v: [Double], extra: [(String, JSON)]) -> JSON {
        func score(_ a: Double, _ b: Double, _ c: Double) -> JSON {
            JSON(["precision": .number(a), "recall": .number(b), "f1": .number(c)])
        }
        return .object(JSONObject(extra + [("rouge1", score(v[0], v[1], v[2])), ("rougeL", score(v[3], v[4], v[5]))]))
    }
}
