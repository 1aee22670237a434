// What pretraining bought: the held-out loss beside the baselines, the real-word rate, the samples, the curves.
import Book
import Plumbing
import Repro

extension PretrainingChapter {
    /// The course's target for a base: nats per character of held-out text (the reference run reached 2.93 at 5 M tokens).
    static let heldOutTarget = 2.9

    func showWhatPretrainingBought(_ run: ChapterRun, _ results: [BaseResult], data: PretrainingData, other: OtherBudget?) throws {
        let book = run.notebook
        book.section("What pretraining bought")
        let table = resultsTable(results, data)
        book.table(table)
        try run.write(Output.results, table: table)
        try run.write(Artifacts.bases, Bases(heldOutArticles: data.heldOut.documents, heldOutTokens: data.heldOut.targets,
                                             unigram: LossRates(data.unigram), bigram: LossRates(data.bigram),
                                             models: results.map(\.summary)))
        for r in results {
            let target = PretrainingChapter.heldOutTarget
            book.text("""
            **\(r.config.name)**: \(Format.fixed(r.heldOut.perCharacter, 3)) nats per character of held-out text \
            (\(r.heldOut.perCharacter <= target ? "at or below" : "\(Format.fixed(r.heldOut.perCharacter - target, 3)) above") the \
            course's target of \(target)); the bigram gives \(Format.fixed(data.bigram.perCharacter, 3)). Of the eojeol \
            in its greedy continuations, \(Format.percent(r.realWords.rate)) occur in the held-out articles (target 70%), \
            and \(Format.percent(r.distinctWords)) are not a repeat within their continuation: the lower that share, the \
            more of the real-word rate is one word looped.
            """)
        }
        // Times go in the notebook only: every file this chapter writes is the same run after run.
        var time = Table(title: "Time", columns: ["model", "steps", "tokens seen", "wall time", "tokens/s"])
        for r in results {
            time.add([r.config.name, Format.count(r.log.steps.count), Format.count(r.log.tokensSeen), Format.fixed(r.log.seconds, 1) + " s",
                      Format.fixed(Double(r.log.tokensSeen) / max(r.log.seconds, 1e-9), 0)])
        }
        book.table(time)
        try run.figure(heldOutFigure(results, data, other: other), caption: "Loss per character on the held-out sample at each validation point; dashed: the baselines on all the held-out articles" + (other.map { "; dotted: the bases of `\($0.root)`, another budget" } ?? "") + ".")
        try run.figure(trainingFigure(results), caption: "Training loss of each optimizer step (on the packed sequences it trained on).")
        let samples = samplesMarkdown(results)
        try run.write(Output.samples, text: samples)
        if let last = results.last {
            book.text("Greedy continuations of the sample prompts by \(last.config.name), after all its tokens (every point of training in [\(Output.samples)](\(Output.samples))):")
            book.code(zip(samplePrompts, last.samples.last?.continuations ?? []).map { "\($0)▸\($1)" }.joined(separator: "\n"))
        }
    }

    func resultsTable(_ results: [BaseResult], _ data: PretrainingData) -> Table {
        var table = Table(title: "The bases on the held-out articles (nats)",
                          columns: ["model", "parameters", "tokens seen", "per token", "per character", "per Hangul syllable",
                                    "real-word rate", "distinct eojeol"])
        for (name, c) in [("unigram baseline", data.unigram), ("bigram baseline", data.bigram)] {
            table.add([name, "—", "—", Format.fixed(c.perToken, 3), Format.fixed(c.perCharacter, 3), Format.fixed(c.perHangulSyllable, 3), "—", "—"])
        }
        for r in results {
            table.add([r.config.name, Format.count(r.config.parameterCount), Format.count(r.log.tokensSeen),
                       Format.fixed(r.heldOut.perToken, 3), Format.fixed(r.heldOut.perCharacter, 3),
                       Format.fixed(r.heldOut.perHangulSyllable, 3), Format.percent(r.realWords.rate),
                       Format.percent(r.distinctWords)])
        }
        table.notes = ["Real-word rate: the share of the eojeol of the greedy continuations of \(samplePrompts.count) prompts (\(sampleTokens) tokens each) found among the held-out articles' eojeol. Distinct eojeol: the share of them that are not a repeat of an earlier one in the same continuation (a loop of one word scores near 0)."]
        return table
    }

    func heldOutFigure(_ results: [BaseResult], _ data: PretrainingData, other: OtherBudget?) -> Figure {
        // Per character: the loss per token times the held-out stream's targets per character.
        let perCharacter = Double(data.heldOutSample.targets) / Double(max(data.heldOutSample.characters, 1))
        var series: [Figure.Series] = []
        for r in results {
            let name = other == nil ? r.config.name : "\(r.config.name), \(Format.count(r.log.tokensSeen)) tokens"
            series.append(Figure.Series(name, x: r.log.validation.map { Double($0.tokens) }, y: r.log.validation.map { $0.loss * perCharacter },
                                        style: "linewidth 2"))
        }
        for base in other?.bases.models ?? [] {
            guard let curve = other?.curve(base.model) else { continue }
            series.append(Figure.Series("\(base.model), \(Format.count(base.tokensSeen)) tokens", x: curve.x, y: curve.y, style: "dashtype 3 linewidth 2"))
        }
        let xMax = Double((results.map(\.log.tokensSeen) + (other?.bases.models.map(\.tokensSeen) ?? [])).max() ?? 1)
        for (name, c) in [("bigram", data.bigram), ("unigram", data.unigram)] {
            series.append(Figure.Series("\(name) baseline", x: [0, xMax], y: [c.perCharacter, c.perCharacter], style: "dashtype 2"))
        }
        return Figure(name: Output.heldOutFigure, title: "Held-out loss against tokens seen", xLabel: "tokens seen (positions trained on)",
                      yLabel: "nats per character of held-out text", series: series)
    }

    func trainingFigure(_ results: [BaseResult]) -> Figure {
        Figure(name: Output.trainingFigure, title: "Pretraining loss per step", xLabel: "optimizer step", yLabel: "nats per token",
               series: results.map { r in Figure.Series(r.config.name, x: r.log.steps.map { Double($0.step) }, y: r.log.steps.map { Double($0.loss) }) })
    }

    func samplesMarkdown(_ results: [BaseResult]) -> String {
        var out = "# Greedy continuations of the sample prompts during pretraining\n\n"
        for r in results {
            out += "## \(r.config.name)\n\n"
            for point in r.samples {
                out += "### After \(Format.count(point.tokens)) tokens (step \(point.step))\n\n"
                for (prompt, text) in zip(samplePrompts, point.continuations) {
                    out += "- **\(prompt)**▸\(Table.shortened(text, 200))\n"
                }
                out += "\n"
            }
        }
        return out
    }
}
