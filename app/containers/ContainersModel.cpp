#include "ContainersModel.h"

ContainersModel::ContainersModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_host.error = Error(Error::Code::NoDriver, QStringLiteral("not read"));
}

int ContainersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int ContainersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ContainersModel::gpuText(const ContainerRecord &record) const
{
    if (!record.gpus.asksForGpus())
        return {};
    bool resolved = false;
    const QList<ContainerGpus::Gpu> held = record.gpus.held(&m_host, &resolved);
    if (!resolved)
        return tr("%1 (host GPUs unknown)").arg(record.gpus.request());
    QStringList indexes;
    for (const ContainerGpus::Gpu &gpu : held)
        indexes << QString::number(gpu.index);
    return indexes.join(QLatin1Char(','));
}

QVariant ContainersModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_records.size())
        return {};
    const ContainerRecord &r = m_records.at(index.row());
    switch (role) {
    case IdRole: return r.id;
    case UsesGpusRole: return r.gpus.asksForGpus();
    case RunningRole: return r.isRunning();
    case TtyRole: return r.tty;
    case UseSeriesRole:
        if (index.column() == GpuUse && m_use.contains(r.id))
            return QVariant::fromValue(m_use.value(r.id).series);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == GpuUse)
            return m_use.value(r.id).text;
        if (index.column() == Gpus && r.gpus.asksForGpus()) {
            QStringList lines{tr("Asked for: %1").arg(r.gpus.request())};
            for (const ContainerGpus::Gpu &gpu : r.gpus.held(&m_host))
                lines << tr("GPU %1 %2")
                             .arg(gpu.index < 0 ? QStringLiteral("?") : QString::number(gpu.index),
                                  gpu.uuid);
            return lines.join(QLatin1Char('\n'));
        }
        return index.column() == Name ? r.id : QVariant();
    case SortRole:
        switch (index.column()) {
        case Status: return r.isRunning() ? r.startedAt : r.finishedAt;
        case Gpus: return gpuText(r);
        case GpuUse: {
            const QList<double> series = m_use.value(r.id).series;
            return series.isEmpty() ? -1.0 : series.last();
        }
        default: break;
        }
        return data(index, Qt::DisplayRole).toString().toLower();
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return r.name;
        case Image: return r.image;
        case Status: return m_now.isValid() ? r.statusText(m_now) : r.statusText();
        case Gpus: return gpuText(r);
        case Preset: return r.preset;
        default: break;
        }
        break;
    default: break;
    }
    return {};
}

void ContainersModel::setUse(const QHash<QString, Use> &use)
{
    if (use.isEmpty() && m_use.isEmpty())
        return;
    m_use = use;
    if (!m_records.isEmpty())
        emit dataChanged(index(0, GpuUse), index(int(m_records.size()) - 1, GpuUse));
}

QVariant ContainersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Name");
    case Image: return tr("Image");
    case Status: return tr("Status");
    case Gpus: return tr("GPUs");
    case GpuUse: return tr("GPU use");
    case Preset: return tr("Preset");
    default: return {};
    }
}

void ContainersModel::setRecords(const QList<ContainerRecord> &records)
{
    beginResetModel();
    m_records = records;
    endResetModel();
}

int ContainersModel::rowOf(const QString &id) const
{
    for (int i = 0; i < m_records.size(); ++i) {
        if (m_records.at(i).id == id)
            return i;
    }
    return -1;
}

void ContainersModel::upsert(const ContainerRecord &record)
{
    const int row = rowOf(record.id);
    if (row < 0) {
        beginInsertRows({}, int(m_records.size()), int(m_records.size()));
        m_records.append(record);
        endInsertRows();
        return;
    }
    m_records[row] = record;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ContainersModel::remove(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_records.removeAt(row);
    endRemoveRows();
}

void ContainersModel::setHost(const GpuSnapshot &host)
{
    m_host = host;
    if (!m_records.isEmpty())
        emit dataChanged(index(0, Gpus), index(int(m_records.size()) - 1, Gpus));
}

void ContainersModel::setNow(const QDateTime &now)
{
    m_now = now;
    if (!m_records.isEmpty())
        emit dataChanged(index(0, Status), index(int(m_records.size()) - 1, Status));
}
