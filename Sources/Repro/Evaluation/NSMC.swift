// NSMC (Naver Sentiment Movie Corpus) as a one-shot in-context test: the paper's prompt
//
//   문장의 긍정, 부정을 분류하세요. (문장) 정답: (감정)
//
// once filled with a demonstration and its label, then again with the review to classify, ending at "정답:". The
// model's answer is read two ways: (a) generate a few tokens and parse the first label word; (b) compare the
// log-likelihoods of the two label continuations, as evaluation harnesses score multiple choice (no parsing, every
// example gets an answer). Accuracy comes with a 95% Wilson interval; on a balanced set always answering one label
// scores about 50%, which is the baseline any accuracy must be read against.
//
// The file: `ratings_test.txt`, tab-separated `id  document  label` with a header row, label 1 = positive. Only the
// test split exists here, so a fixed, seeded slice of it is held out to supply demonstrations and never scored.
import Foundation
import Tensor
import Plumbing

public enum SentimentLabel: Int, CaseIterable, Sendable {
    case negative = 0, positive = 1

    /// The label word of the paper's prompt.
    public var word: String { self == .positive ? Paper.sentimentWords.positive : Paper.sentimentWords.negative }
}

public struct NSMCRow: Equatable, Sendable {
    public var id: String
    public var document: String
    public var label: SentimentLabel
    /// 1-based line in the file (the header is line 1).
    public var line: Int

    public init(id: String, document: String, label: SentimentLabel, line: Int) {
        self.id = id; self.document = document; self.label = label; self.line = line
    }

    public var isEmpty: Bool { document.allSatisfy(\.isWhitespace) }
}

/// The held-out demonstrations and the scored rows, chosen once per seed.
public struct NSMCSplit: Sendable {
    /// The demonstration slice: never scored.
    public var demonstrations: [NSMCRow]
    /// The rows to score, in file order.
    public var scored: [NSMCRow]
    /// Rows whose document is empty (skipped, counted).
    public var emptySkipped: Int
    /// Rows outside the slice whose text repeats a demonstration's (skipped, so a demonstration is never scored).
    public var repeatsOfDemonstrations: Int

    public init(demonstrations: [NSMCRow], scored: [NSMCRow], emptySkipped: Int, repeatsOfDemonstrations: Int) {
        self.demonstrations = demonstrations; self.scored = scored
        self.emptySkipped = emptySkipped; self.repeatsOfDemonstrations = repeatsOfDemonstrations
    }

    /// (positive, negative) among the scored rows.
    public var balance: (positive: Int, negative: Int) {
        let positive = scored.filter { $0.label == .positive }.count
        return (positive, scored.count - positive)
    }

    /// Accuracy of always answering the more frequent label of the scored rows.
    public var majorityAccuracy: Double {
        scored.isEmpty ? 0 : Double(max(balance.positive, balance.negative)) / Double(scored.count)
    }
}

public enum NSMC {
    public static let header = "id\tdocument\tlabel"

    /// Every row of a ratings file (empty documents included; `split` skips them), read by TextFile's rule (a BOM,
    /// CRLF and trailing blank lines are fine). A malformed row is an error naming the file and the line.
    public static func load(_ path: String) throws -> [NSMCRow] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw RecordError(file: path, problem: "\(error)") }
        return try parse(bytes, file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws -> [NSMCRow] {
        let lines = try TextFile(bytes: bytes, path: file).lines
        guard let first = lines.first else { throw RecordError(file: file, problem: "file is empty") }
        guard first.text == header else {
            throw RecordError(file: file, line: 1, problem: "expected the header \"\(escaped(header))\", found \"\(escaped(first.text.prefix(60)))\"")
        }
        let rows = try lines.dropFirst().map { line in
            let fields = line.text.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw RecordError(file: file, line: line.number, problem: "expected 3 tab-separated fields (id, document, label), found \(fields.count)")
            }
            guard !fields[0].isEmpty else { throw RecordError(file: file, line: line.number, problem: "empty id") }
            guard let value = Int(fields[2]), let label = SentimentLabel(rawValue: value) else {
                throw RecordError(file: file, line: line.number, problem: "label must be 0 or 1, found \"\(escaped(fields[2]))\"")
            }
            return NSMCRow(id: String(fields[0]), document: String(fields[1]), label: label, line: line.number)
        }
        guard !rows.isEmpty else { throw RecordError(file: file, problem: "no rows after the header") }
        return rows
    }

    /// Size of the demonstration slice: 100 rows, or a tenth of a small file.
    public static func demonstrationSliceSize(rows: Int) -> Int { min(100, max(1, rows / 10)) }

    /// A seeded shuffle of the non-empty rows: the first `demonstrationSliceSize` are the demonstration slice, the
    /// next `scored` (all when nil) are scored, after dropping any whose text repeats a demonstration's.
    public static func split(_ rows: [NSMCRow], scored: Int?, seed: UInt64) -> NSMCSplit {
        var order = rows.indices.filter { !rows[$0].isEmpty }
        var random = SeededRandom(seed: seed)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.below(i + 1)) }
        let sliceSize = demonstrationSliceSize(rows: order.count)
        let slice = order.prefix(sliceSize)
        let demonstrationTexts = Set(slice.map { rows[$0].document })
        let rest = order.dropFirst(sliceSize)
        let kept = rest.filter { !demonstrationTexts.contains(rows[$0].document) }
        let chosen = kept.prefix(scored ?? kept.count).sorted()
        return NSMCSplit(demonstrations: slice.map { rows[$0] }, scored: chosen.map { rows[$0] },
                         emptySkipped: rows.count - order.count, repeatsOfDemonstrations: rest.count - kept.count)
    }

    /// The label an answer gives: its first word must begin with 긍정 or 부정 ("긍정", " 부정입니다.", "긍정적인 리뷰"),
    /// whatever blank space or blank lines come before it. Anything else — another first word, an empty answer, or a
    /// first word holding both labels ("긍정/부정") — is unparseable (nil) and counts as wrong.
    public static func parseAnswer(_ answer: String) -> SentimentLabel? {
        // Newlines are white space too, so the first word of the answer is the first word of its first non-blank line.
        guard let word = answer.split(whereSeparator: \.isWhitespace).first else { return nil }
        let positive = SentimentLabel.positive.word, negative = SentimentLabel.negative.word
        let hasPositive = word.contains(positive), hasNegative = word.contains(negative)
        if hasPositive && hasNegative { return nil }
        if word.hasPrefix(positive) { return .positive }
        if word.hasPrefix(negative) { return .negative }
        return nil
    }

    /// The 95% Wilson score interval of a proportion `successes / trials` (z = 1.96): unlike p ± 1.96·√(p(1−p)/n) it
    /// stays inside [0, 1] and is not zero-width at 0% or 100%.
    public static func wilsonInterval(successes: Int, trials: Int, z: Double = 1.959963984540054) -> (low: Double, high: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }
}

/// The one-shot NSMC prompt.
public struct NSMCPrompt: Sendable {
    public enum Form: String, CaseIterable, Sendable {
        /// The paper's text as it stands: demonstration line, then the review, ending at "정답:".
        case raw
        /// Each of the two in the training template: instruction = the paper's sentence, input = the review, the
        /// demonstration's label as its response.
        case template
    }

    public static let instruction = Paper.sentimentInstruction

    public var form: Form
    public var template: PromptTemplate

    public init(form: Form, template: PromptTemplate = .korean) { self.form = form; self.template = template }

    /// Everything before the answer: the demonstration with its label, then `document`.
    public func text(demonstration: NSMCRow, document: String) -> String {
        switch form {
        case .raw:
            let answer = Paper.sentimentAnswerLabel
            return "\(NSMCPrompt.instruction) \(demonstration.document) \(answer) \(demonstration.label.word)\n"
                + "\(NSMCPrompt.instruction) \(document) \(answer)"
        case .template:
            return template.promptForGeneration(instruction: NSMCPrompt.instruction, input: demonstration.document)
                + demonstration.label.word + "\n\n"
                + template.promptForGeneration(instruction: NSMCPrompt.instruction, input: document)
        }
    }

    /// The text that follows the prompt when the answer is `label` (raw: " 긍정", after "정답:").
    public func continuation(_ label: SentimentLabel) -> String {
        form == .raw ? " " + label.word : label.word
    }
}
