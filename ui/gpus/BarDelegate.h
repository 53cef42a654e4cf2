#pragma once

#include <QStyledItemDelegate>

// Paints a cell as a bar: the fraction from BarDelegate::FractionRole (0..1; absent: plain text)
// with the cell's text on top. Used for GPU memory and utilisation.
class BarDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    static constexpr int FractionRole = Qt::UserRole + 10;

    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
