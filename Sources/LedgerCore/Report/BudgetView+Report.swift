/// What the quarterly report reads off the budget view's rows beyond their stored figures.
extension BudgetView.Pot {
    /// forecast ÷ budget, in basis points (0 without a budget).
    public var forecastBasisPoints: Int64 { budgetCents > 0 ? Money.share(forecastCents, 10_000, budgetCents) : 0 }
    /// For prevention the budget is a minimum to reach; for the others a maximum.
    public var isMinimum: Bool { funding == .praevention }
}

extension BudgetView.PostsRow {
    /// Staff are recorded on the Träger's ledger only; on the Jugendamt's they are unknown.
    public var staffKnown: Bool { heads > 0 || staffedHundredths > 0 }
}
