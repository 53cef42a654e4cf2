#pragma once

#include <QPointer>
#include <QStringList>
#include <QWidget>

class GpuAlerts;
class GpuHistory;
class GpuSnapshot;
class HistoryPlot;
class QComboBox;
class QLabel;
class QPushButton;

// Under the GPU table: the selected GPU's history (the span to show, the plot with each holder's
// memory), the alert switches, and the latest alerts said.
class GpuHistoryBox : public QWidget
{
    Q_OBJECT

public:
    explicit GpuHistoryBox(QWidget *parent = nullptr);

    // The history the plot reads; owner: the object it lives in (null, or gone: nothing to show).
    void setHistory(const GpuHistory *history, QObject *owner);
    void showGpu(const QString &uuid);
    // The plot's GPU, or the first of a new table when it has none; redraws either way.
    void refresh(const QString &firstGpu);
    // Each snapshot once: alerts are said once per event.
    void checkAlerts(const GpuSnapshot &snapshot);
    GpuAlerts *alerts() const { return m_alerts; }

signals:
    // "Stop NAME" was pressed under an idle container's alert.
    void stopRequested(const QString &containerId, const QString &name);

private:
    QComboBox *m_span;
    HistoryPlot *m_plot;
    GpuAlerts *m_alerts;
    QLabel *m_alertLog;
    QLabel *m_csvNote;        // what became of the last "Save as CSV"
    QPushButton *m_stopOffer; // the latest idle container's "Stop NAME"
    QString m_stopId;
    QString m_stopName;
    QStringList m_alertLines; // the latest few, oldest first
};
