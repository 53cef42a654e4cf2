#pragma once

#include "gpus/BarDelegate.h"

// A BarDelegate with the last minute drawn over the bar as a sparkline: SeriesRole holds a
// QList<double> of fractions (0..1), oldest first; absent, the cell is a plain bar.
class SparkDelegate : public BarDelegate
{
    Q_OBJECT

public:
    static constexpr int SeriesRole = Qt::UserRole + 11;

    using BarDelegate::BarDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};
