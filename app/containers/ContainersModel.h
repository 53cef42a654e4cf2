#pragma once

#include "ContainerRecord.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>

// The containers of one engine as a table: name, image, status (uptime, or exit code and when),
// the GPUs each holds and the preset that launched it. Rows are keyed by container ID; the
// GPUs are resolved against the host's GPUs given with setHost() (else what each asked for).
class ContainersModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Image, Status, Gpus, GpuUse, Preset, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1,
        SortRole,     // what the column sorts by (times, GPU indexes)
        UsesGpusRole, // bool: the container asks for GPUs
        RunningRole,  // bool
        TtyRole,      // bool
        // GpuUse: QList<double> of the container's GPU utilisation, fractions 0..1, oldest first
        // (the widgets' SparkDelegate::SeriesRole draws it)
        UseSeriesRole = Qt::UserRole + 11,
    };

    explicit ContainersModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The whole list, as listed again (after the engine came back).
    void setRecords(const QList<ContainerRecord> &records);
    // A container created or changed (from an event's inspect).
    void upsert(const ContainerRecord &record);
    void remove(const QString &id);
    void setHost(const GpuSnapshot &host);
    const GpuSnapshot &host() const { return m_host; }
    // Each container's recent GPU use by ID (utilisation fractions, oldest first) and its words
    // for the tooltip; containers not named have none.
    struct Use
    {
        QList<double> series;
        QString text;
    };
    void setUse(const QHash<QString, Use> &use);
    // For the status column's "Up 5 minutes" (tests and the minute tick).
    void setNow(const QDateTime &now);

    int rowOf(const QString &id) const;
    const ContainerRecord &recordAt(int row) const { return m_records.at(row); }
    const QList<ContainerRecord> &records() const { return m_records; }

    // "1,3", the request when the host's GPUs are unknown, or "" for no GPUs.
    QString gpuText(const ContainerRecord &record) const;

private:
    QList<ContainerRecord> m_records;
    GpuSnapshot m_host;
    QHash<QString, Use> m_use;
    QDateTime m_now;
};
