import Foundation
import Repro
import Tensor
import Plumbing
import Book

// MARK: - Tables and figures shared by the ablations

enum Compare {
    /// One row per cell: what chapter 04 measured and what chapter 05 scored, side by side for every run.
    static func table(_ title: String, _ cells: [CellOutcome]) -> Table {
        var table = Table(title: title, columns: ["run", "cell", "model", "parameters", "learning rate",
                                                  "train loss (trained positions)", "train loss (responses)", "validation loss",
                                                  "ROUGE-1", "ROUGE-L", "NSMC parsed", "NSMC log-lik.", "summary tokens", "stopped at EOS"])
        for c in cells {
            table.add([c.run, c.id, c.model, Format.count(c.parameters), Format.scientific(c.learningRate, 2),
                       Format.fixed(c.finalTrainLoss, 3), Format.fixed(c.finalTrainResponseLoss, 3), Format.fixed(c.finalValidationLoss, 3),
                       score(c.rouge1), score(c.rougeL), percent(c.nsmcParsed, c.nsmcCount),
                       percent(c.nsmcLikelihood, c.nsmcCount), c.summaryLengths.isEmpty ? "—" : Format.fixed(mean(c.summaryLengths), 1),
                       c.summaryLengths.isEmpty ? "—" : percent(c.stoppedAtEndOfText, c.summaryLengths.count)])
        }
        table.notes = [
            "Losses in nats per token, after the last step. Train loss (trained positions): the mean over the last 5% of steps, on whatever the run put in its loss. Train loss (responses) and validation loss: the responses alone (prompt masked), on the first training examples and on the held-out records — the same measure for every run.",
            "ROUGE: mean F1 at the syllable level over the summarization articles (— where chapter 05 ran with --no-summaries). NSMC: accuracy of the parsed answer word and of the log-likelihood choice between 긍정 and 부정. Summary tokens: mean new tokens per summary; stopped at EOS: the share of summaries that ended with the end-of-text token rather than the length limit.",
        ]
        return table
    }

    static func percent(_ k: Int, _ n: Int) -> String { Format.percent(Double(k) / Double(max(n, 1)), 1) }

    /// A ROUGE score to three places, or a dash when the run summarized nothing.
    static func score(_ x: Double?) -> String { x.map { Format.fixed($0, 3) } ?? "—" }

    static func mean(_ values: [Int]) -> Double { Double(values.reduce(0, +)) / Double(max(values.count, 1)) }

    /// One colour per cell of a figure, so a cell's solid, dashed and thin lines read as one.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    static func colour(_ index: Int) -> String { "linecolor rgb '\(palette[index % palette.count])'" }

    /// Long series titles go under the plot, not beside it.
    static let keyBelow = "set key below left Left reverse noenhanced"

    /// The loss on responses during training, for every cell: on training examples (solid) and on held-out records
    /// (dashed), at the validation points. With `perStep`, each run's per-step training loss too (thin), on the
    /// positions that run trained on.
    static func lossFigure(name: String, title: String, _ cells: [CellOutcome], perStep: Bool = false, extra: [String] = []) -> Figure {
        var series: [Figure.Series] = []
        for (i, c) in cells.enumerated() {
            series.append(Figure.Series("\(c.label): train, responses", x: c.validation.map { Double($0.step) },
                                        y: c.validation.map(\.trainResponse), style: "\(colour(i)) linewidth 2.5"))
            series.append(Figure.Series("\(c.label): validation", x: c.validation.map { Double($0.step) },
                                        y: c.validation.map(\.loss), style: "\(colour(i)) dashtype 2 linewidth 2.5"))
            if perStep {
                series.append(Figure.Series("\(c.label): train, per step (trained positions)", x: c.steps.map { Double($0.step) },
                                            y: c.steps.map(\.loss), style: "\(colour(i)) linewidth 0.8"))
            }
        }
        return Figure(name: name, title: title, xLabel: "optimizer step", yLabel: "cross-entropy (nats/token)", series: series,
                      extra: [keyBelow] + extra)
    }

    /// A sentence with the change of the validation loss and of the scores from `base` to `variant`; `noise` is how much
    /// another seed alone moves the validation loss (the seed ablation's difference), quoted beside it when known.
    static func difference(_ base: CellOutcome, _ variant: CellOutcome, noise noiseFloor: Double?) -> String {
        func signed(_ x: Double, _ digits: Int) -> String { (x >= 0 ? "+" : "−") + Format.fixed(abs(x), digits) }
        let noise = noiseFloor.map { "; another seed alone moves it by \(Format.fixed($0, 3))" } ?? ""
        var parts = ["Cell \(variant.id): validation loss \(Format.fixed(base.finalValidationLoss, 3)) → \(Format.fixed(variant.finalValidationLoss, 3)) "
                     + "(\(signed(variant.finalValidationLoss - base.finalValidationLoss, 3))\(noise))",
                     "train loss on responses \(Format.fixed(base.finalTrainResponseLoss, 3)) → \(Format.fixed(variant.finalTrainResponseLoss, 3))"]
        let summarized = !base.summaryLengths.isEmpty && !variant.summaryLengths.isEmpty
        if summarized { parts.append("ROUGE-L \(score(base.rougeL)) → \(score(variant.rougeL))") }
        parts.append("NSMC by log-likelihood \(percent(base.nsmcLikelihood, base.nsmcCount)) → \(percent(variant.nsmcLikelihood, variant.nsmcCount))")
        if summarized {
            parts.append("mean summary length \(Format.fixed(mean(base.summaryLengths), 1)) → \(Format.fixed(mean(variant.summaryLengths), 1)) tokens")
        }
        return parts.joined(separator: "; ") + "."
    }

    /// A generated answer for a table: shortened, and "(nothing)" when the model stopped at once.
    static func answer(_ text: String) -> String { text.isEmpty ? "(nothing)" : short(text) }

    /// `text` shortened to `limit` characters for a table cell, on one line.
    static func short(_ text: String, _ limit: Int = 60) -> String { Table.shortened(text, limit) }
}
