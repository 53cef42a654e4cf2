#pragma once

#include "gpus/BarDelegate.h"

#include <QList>

class GpuHistory;

// A BarDelegate with the last minute drawn over the bar as a sparkline: SeriesRole holds a
// QList<double> of fractions (0..1), oldest first; absent, the cell is a plain bar.
class SparkDelegate : public BarDelegate
{
    Q_OBJECT

public:
    static constexpr int SeriesRole = Qt::UserRole + 11;

    using BarDelegate::BarDelegate;

    // The last minute of one GPU's history as the two series of its row: utilisation and memory
    // in use, each a fraction; empty without history.
    struct Minute
    {
        QList<double> utilisation;
        QList<double> memory;
    };
    static Minute lastMinute(const GpuHistory *history, const QString &uuid);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};
