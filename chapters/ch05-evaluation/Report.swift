// Tables, figures and samples from the evaluations: Table 4 beside the paper's, and what the numbers mean.
import Foundation
import Repro
import Tensor
import Plumbing
import Book

/// The paper's Table 4, each row keyed by the cell of our grid that stands in its place: small ↔ 5.8B, large ↔ 12.8B,
/// high ↔ the higher rate, low ↔ the lower.
enum PaperTable4 {
    static let rows: [(cell: String, row: Paper.Table4Row)] = zip(["small-high", "small-low", "large-high", "large-low"], Paper.table4).map { ($0, $1) }

    static func row(for cell: String) -> Paper.Table4Row? { rows.first { $0.cell == cell }?.row }
}

extension Paper.Table4Row {
    var learningRateText: String { Format.scientific(learningRate, 0) }
}

struct Report {
    var evaluations: [ModelEvaluation]
    var split: NSMCSplit
    var headline: RougeLevel
    var seed: UInt64
    /// ROUGE of the lead baseline (the article's first `leadTokens` tokens), per article.
    var lead: [[RougeLevel: RougePair]]
    var leadTokens: Int

    /// Mean F1 of the lead baseline.
    func leadMean(_ level: RougeLevel, longest: Bool) -> Double {
        lead.reduce(0) { $0 + (longest ? $1[level]!.rougeL.f1 : $1[level]!.rouge1.f1) } / Double(max(lead.count, 1))
    }

    func percent(_ x: Double) -> String { Format.fixed(100 * x, 1) }

    /// Whether the summarization test ran (chapter 05's `--no-summaries` leaves it out).
    var summarized: Bool { evaluations.contains { !$0.summaries.isEmpty } }

    /// A model's mean ROUGE F1 at the headline level, or a dash when it summarized nothing.
    func rougeCell(_ e: ModelEvaluation, longest: Bool) -> String {
        e.summaries.isEmpty ? "—" : Format.fixed(e.rouge(headline, longest: longest, seed: seed).mean, 2)
    }

    func accuracyCell(_ correct: Int, _ total: Int) -> String {
        let (low, high) = NSMC.wilsonInterval(successes: correct, trials: total)
        return "\(percent(Double(correct) / Double(max(total, 1)))) [\(percent(low)), \(percent(high))]"
    }

    /// Table 4 in the paper's layout (Model, LR, ROUGE-1, ROUGE-L, NSMC), each paper row followed by our cell.
    var table4: Table {
        var table = Table(title: "Table 4 — the paper's rows and ours (ROUGE F1 at the \(headline.rawValue) level; NSMC accuracy %, 95% Wilson interval)",
                          columns: ["Model", "LR", "ROUGE-1", "ROUGE-L", "NSMC", "NSMC (log-likelihood)"])
        var shownPaper = Set<String>()
        for e in evaluations {
            if let paper = PaperTable4.row(for: e.model.id) {
                table.add(["\(paper.model) (paper)", paper.learningRateText, Format.fixed(paper.rouge1, 2),
                           Format.fixed(paper.rougeL, 2), Format.fixed(paper.nsmc, 1), "—"])
                shownPaper.insert(e.model.id)
            }
            let n = e.nsmc.count
            table.add(["\(e.model.modelName) (ours, \(e.model.isBase ? "before tuning" : e.model.id))", e.model.learningRate.map { Format.scientific($0, 2) } ?? "—",
                       rougeCell(e, longest: false), rougeCell(e, longest: true),
                       accuracyCell(e.generatedCorrect, n), accuracyCell(e.likelihoodCorrect, n)])
        }
        for (cell, paper) in PaperTable4.rows where !shownPaper.contains(cell) {
            table.add(["\(paper.model) (paper)", paper.learningRateText, Format.fixed(paper.rouge1, 2),
                       Format.fixed(paper.rougeL, 2), Format.fixed(paper.nsmc, 1), "—"])
        }
        if lead.isEmpty {
            table.add(["no model: majority-label answer", "—", "—", "—", Format.fixed(100 * split.majorityAccuracy, 1), "—"])
        } else {
            table.add(["no model: lead-\(leadTokens) summary, majority-label answer", "—",
                       Format.fixed(leadMean(headline, longest: false), 2), Format.fixed(leadMean(headline, longest: true), 2),
                       Format.fixed(100 * split.majorityAccuracy, 1), "—"])
        }
        let balance = split.balance
        table.notes = [
            "Our cells stand where the paper's stand: small ↔ Polyglot-5.8b, large ↔ Polyglot-12.8b, high ↔ \(Format.scientific(Paper.learningRates.high, 0)), low ↔ \(Format.scientific(Paper.learningRates.low, 0)) (course cells are fine-tuned from chapter 00's bases, or from random weights under `--no-pretraining`, at rates with the paper's \(Format.fixed(Paper.learningRateRatio, 1)) : 1 ratio; see chapter 04).",
            (summarized ? "ROUGE: mean F1 over \(evaluations.first?.summaries.count ?? 0) articles, tokens = \(headline == .syllable ? "syllables (every non-space character)" : "eojeol with punctuation split off"); the paper does not say how it tokenized." : "ROUGE: not scored (--no-summaries).") + " NSMC: \(split.scored.count) scored reviews, one demonstration; \"NSMC\" parses the first word of the generated answer (unparseable = wrong), \"log-likelihood\" compares log p(긍정) and log p(부정).",
            lead.isEmpty ? "The no-model row: the NSMC answer is always the majority label."
                : "The no-model row: the \"summary\" is the article's first \(leadTokens) tokens (the lead baseline; the references are sentences of the article, often its first), and the NSMC answer is always the majority label.",
            "Always answering the majority label scores \(percent(split.majorityAccuracy))% on our scored subset (\(balance.positive) 긍정 / \(balance.negative) 부정); on all of NSMC's test split, 50.3% (25,173 of 50,000 are positive). The paper's \(Format.fixed(Paper.table4.map(\.nsmc).min()!, 1))% lies below that baseline: a model that always said 긍정 would have beaten it.",
        ]
        return table
    }

    /// Each tuned cell against its untuned base, measure by measure: a cell counts as improved only when the lower
    /// end of its 95% interval clears the upper end of the base's (bootstrap for ROUGE, Wilson for NSMC).
    var tuningTable: Table? {
        let pairs = evaluations.compactMap { e in e.model.base.flatMap { id in evaluations.first { $0.model.id == id } }.map { (e, $0) } }
        guard !pairs.isEmpty else { return nil }
        var table = Table(title: "Did tuning help? Each cell against its base before tuning (95% intervals)",
                          columns: ["cell", "measure", "tuned", "base", "clears the base"])
        func interval(_ x: (mean: Double, low: Double, high: Double)) -> String {
            "\(Format.fixed(x.mean, 3)) [\(Format.fixed(x.low, 3)), \(Format.fixed(x.high, 3))]"
        }
        for (cell, base) in pairs {
            for level in [RougeLevel.syllable, .eojeol] where !cell.summaries.isEmpty && !base.summaries.isEmpty {
                for longest in [false, true] {
                    let c = cell.rouge(level, longest: longest, seed: seed), b = base.rouge(level, longest: longest, seed: seed)
                    table.add([cell.model.id, "\(level.rawValue) ROUGE-\(longest ? "L" : "1")", interval(c), interval(b), c.low > b.high ? "yes" : "no"])
                }
            }
            let c = NSMC.wilsonInterval(successes: cell.likelihoodCorrect, trials: cell.nsmc.count)
            let b = NSMC.wilsonInterval(successes: base.likelihoodCorrect, trials: base.nsmc.count)
            table.add([cell.model.id, "NSMC accuracy (log-likelihood)", accuracyCell(cell.likelihoodCorrect, cell.nsmc.count),
                       accuracyCell(base.likelihoodCorrect, base.nsmc.count), c.low > b.high ? "yes" : "no"])
        }
        table.notes = ["NSMC accuracy in %, against a majority baseline of \(percent(split.majorityAccuracy))%; ROUGE is mean F1 over the articles."]
        return table
    }

    /// ROUGE at both levels, precision/recall/F1, with intervals; and the ASCII tokenizer's zeros.
    var rougeTable: Table {
        var table = Table(title: "ROUGE on the summaries, by tokenization (mean over articles; F1 with a 95% bootstrap interval)",
                          columns: ["cell", "level", "ROUGE-1 P", "ROUGE-1 R", "ROUGE-1 F1", "ROUGE-L P", "ROUGE-L R", "ROUGE-L F1"])
        for e in evaluations {
            for level in scoredLevels {
                let one = e.meanScore(level) { $0.rouge1 }, longest = e.meanScore(level) { $0.rougeL }
                let i1 = e.rouge(level, longest: false, seed: seed), iL = e.rouge(level, longest: true, seed: seed)
                table.add([e.model.id, level == .ascii ? "ascii (rouge-score default)" : level.rawValue,
                           Format.fixed(one.p, 3), Format.fixed(one.r, 3),
                           "\(Format.fixed(one.f, 3)) [\(Format.fixed(i1.low, 3)), \(Format.fixed(i1.high, 3))]",
                           Format.fixed(longest.p, 3), Format.fixed(longest.r, 3),
                           "\(Format.fixed(longest.f, 3)) [\(Format.fixed(iL.low, 3)), \(Format.fixed(iL.high, 3))]"])
            }
        }
        for level in scoredLevels where !lead.isEmpty {
            func mean(_ part: (RougePair) -> RougeScore) -> (p: Double, r: Double, f: Double) {
                let scores = lead.map { part($0[level]!) }, n = Double(scores.count)
                return (scores.reduce(0) { $0 + $1.precision } / n, scores.reduce(0) { $0 + $1.recall } / n, scores.reduce(0) { $0 + $1.f1 } / n)
            }
            let one = mean { $0.rouge1 }, longest = mean { $0.rougeL }
            table.add(["lead-\(leadTokens) (no model)", level == .ascii ? "ascii (rouge-score default)" : level.rawValue,
                       Format.fixed(one.p, 3), Format.fixed(one.r, 3), Format.fixed(one.f, 3),
                       Format.fixed(longest.p, 3), Format.fixed(longest.r, 3), Format.fixed(longest.f, 3)])
        }
        table.notes = ["The ascii rows tokenize as rouge-score does by default (lowercase, keep [a-z0-9]+): Korean has no such tokens, so only digits and Latin letters can match."]
        return table
    }

    var nsmcTable: Table {
        var table = Table(title: "NSMC one-shot: both readings of the answer",
                          columns: ["cell", "generated: accuracy % [95%]", "unparseable", "answers 긍정",
                                    "log-likelihood: accuracy % [95%]", "chooses 긍정", "majority baseline %"])
        for e in evaluations {
            let n = e.nsmc.count
            table.add([e.model.id, accuracyCell(e.generatedCorrect, n), "\(e.unparseable) of \(n)",
                       "\(e.generatedPositive)", accuracyCell(e.likelihoodCorrect, n), "\(e.likelihoodPositive)",
                       percent(split.majorityAccuracy)])
        }
        return table
    }

    /// Grouped bars: ROUGE (ours with intervals, the paper's beside) per cell.
    var rougeFigure: Figure {
        let ours = evaluations
        func series(_ title: String, longest: Bool) -> Figure.Series {
            let values = ours.map { $0.rouge(headline, longest: longest, seed: seed) }
            return Figure.Series(title, x: [], y: values.map(\.mean), yLow: values.map(\.low), yHigh: values.map(\.high))
        }
        var all = [series("ROUGE-1 (ours)", longest: false), series("ROUGE-L (ours)", longest: true)]
        if ours.contains(where: { PaperTable4.row(for: $0.model.id) != nil }) {
            let paper = ours.map { PaperTable4.row(for: $0.model.id) }
            all.append(Figure.Series("ROUGE-1 (paper)", x: [], y: paper.map { $0?.rouge1 ?? .nan }, style: "fs pattern 4"))
            all.append(Figure.Series("ROUGE-L (paper)", x: [], y: paper.map { $0?.rougeL ?? .nan }, style: "fs pattern 5"))
        }
        // Room above the tallest bar or interval for the key; never a zero-height axis when every score is 0.
        let top = all.flatMap { $0.y + ($0.yHigh ?? []) }.filter(\.isFinite).max() ?? 0
        return Figure(name: "rouge", title: "ROUGE F1 (\(headline.rawValue) level), ours vs the paper's Table 4",
                      xLabel: "cell", yLabel: "F1", kind: .bars, series: all, categories: ours.map(categoryName),
                      extra: rougeFigureExtras(top: top))
    }

    /// The y range, and the lead baseline's ROUGE-1 as a dashed line.
    func rougeFigureExtras(top: Double) -> [String] {
        guard !lead.isEmpty else { return ["set yrange [0:\(Format.fixed(max(0.05, top * 1.15), 3))]"] }
        let line = leadMean(headline, longest: false)
        return ["set yrange [0:\(Format.fixed(max(0.05, top * 1.15, line * 1.15), 3))]",
                "set arrow from graph 0, first \(line) to graph 1, first \(line) nohead dashtype 2 linewidth 2 lc rgb '#444444'",
                "set label 'lead-\(leadTokens) ROUGE-1 \(Format.fixed(line, 2)) (no model)' at graph 0.01, first \(line) offset 0, 0.7 font ',10'"]
    }

    /// Grouped bars: NSMC accuracy, both readings with Wilson intervals, the paper's beside, the majority line.
    var nsmcFigure: Figure {
        func series(_ title: String, _ correct: (ModelEvaluation) -> Int) -> Figure.Series {
            let intervals = evaluations.map { NSMC.wilsonInterval(successes: correct($0), trials: $0.nsmc.count) }
            return Figure.Series(title, x: [], y: evaluations.map { 100 * Double(correct($0)) / Double(max($0.nsmc.count, 1)) },
                                 yLow: intervals.map { 100 * $0.low }, yHigh: intervals.map { 100 * $0.high })
        }
        var all = [series("generated answer (ours)", \.generatedCorrect), series("log-likelihood (ours)", \.likelihoodCorrect)]
        if evaluations.contains(where: { PaperTable4.row(for: $0.model.id) != nil }) {
            all.append(Figure.Series("paper", x: [], y: evaluations.map { PaperTable4.row(for: $0.model.id)?.nsmc ?? .nan },
                                     style: "fs pattern 4"))
        }
        let majority = 100 * split.majorityAccuracy
        return Figure(name: "nsmc-accuracy", title: "NSMC one-shot accuracy (%), 95% Wilson intervals; dashed: always the majority label",
                      xLabel: "cell", yLabel: "accuracy (%)", kind: .bars, series: all, categories: evaluations.map(categoryName),
                      extra: ["set yrange [0:100]",
                              "set arrow from graph 0, first \(majority) to graph 1, first \(majority) nohead dashtype 2 linewidth 2 lc rgb '#444444'",
                              "set label 'majority \(Format.fixed(majority, 1))%' at graph 0.01, first \(majority + 2.5) font ',10'"])
    }

    func categoryName(_ e: ModelEvaluation) -> String {
        e.model.learningRate.map { "\(e.model.id) (\(Format.scientific($0, 1)))" } ?? e.model.id
    }

    /// For each cell, three summaries and three NSMC answers beside the references.
    var samples: String {
        var out = "# What the numbers mean: samples per cell\n\n"
        out += "The first three articles and reviews of each cell, with the prompts and decoding settings of notebook.md. ROUGE is at the \(headline.rawValue) level. An NSMC answer is what the model generates after the prompt (at most a few tokens); \"parsed\" is the label its first word gives.\n\n"
        for e in evaluations {
            out += "## \(e.model.id) — \(e.model.label)\n\n"
            if !e.summaries.isEmpty { out += "### Summaries\n\n" }
            for s in e.summaries.prefix(3) {
                let pair = s.scores[headline]!
                out += "**Article \(s.example.id)** (\(s.example.document.count) characters\(s.truncated ? ", cut to the first \(s.keptCharacters) to fit" : "")): "
                out += "ROUGE-1 \(Format.fixed(pair.rouge1.f1, 3)), ROUGE-L \(Format.fixed(pair.rougeL.f1, 3)), \(s.newTokens) token\(s.newTokens == 1 ? "" : "s"), stopped at \(s.stop.rawValue)\n\n"
                out += "- article: \(quoteLine(String(s.example.document.prefix(160))))…\n"
                out += "- reference: \(quoteLine(s.example.reference))\n"
                out += "- model: \(quoteLine(s.output.isEmpty ? "(empty)" : s.output))\n\n"
            }
            out += "### NSMC\n\n| review | label | generated answer | parsed | log-likelihood picks (log p 긍정 / 부정) |\n| --- | --- | --- | --- | --- |\n"
            for o in e.nsmc.prefix(3) {
                let cells = [o.row.document, o.row.label.word, o.answer.isEmpty ? "(empty)" : o.answer,
                             o.parsed?.word ?? "unparseable",
                             "\(o.likelihoodChoice.word) (\(Format.fixed(o.logLikelihood[.positive] ?? .nan, 2)) / \(Format.fixed(o.logLikelihood[.negative] ?? .nan, 2)))"]
                out += "| " + cells.map { quoteLine($0).replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
            out += "\n"
        }
        return out
    }

    /// Text on one Markdown line: newlines shown as ⏎, backticks kept out of the way.
    func quoteLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ⏎ ")
    }
}
