// inspect — small utilities for looking inside the project's files. Each subcommand lives in its own file.
import ArgumentParser

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Look inside checkpoints, tokenizers and data files.",
        subcommands: [SafetensorsCommand.self, TokenizeCommand.self, TrainTokenizerCommand.self, LogitsCommand.self,
                      RougeCommand.self, ChaptersCommand.self])
}

Inspect.main()
