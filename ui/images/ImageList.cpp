#include "images/ImageList.h"

#include "fleet/Engine.h"
#include "widgets/Icons.h"
#include "widgets/StatusColors.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

ImageList::ImageList(QWidget *parent)
    : QWidget(parent),
      m_filter(new QLineEdit(this)),
      m_refresh(new QToolButton(this)),
      m_model(new QStandardItemModel(0, 4, this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTreeView(this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("imageList"));
    m_filter->setObjectName(QStringLiteral("imageFilter"));
    m_filter->setPlaceholderText(tr("Filter images"));
    m_filter->setClearButtonEnabled(true);
    m_refresh->setObjectName(QStringLiteral("imageRefresh"));
    m_refresh->setIcon(Icons::get(QStringLiteral("refresh")));
    m_refresh->setToolTip(tr("Read the engine's images again (F5)"));
    m_view->setObjectName(QStringLiteral("imageView"));
    m_view->setAccessibleName(tr("Local images"));
    m_filter->setAccessibleName(tr("Filter images"));
    m_status->setObjectName(QStringLiteral("imageStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_model->setHorizontalHeaderLabels({tr("Image"), tr("Size"), tr("Age"), tr("CUDA")});
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(NameColumn);
    m_proxy->setSortRole(SortRole);
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(NameColumn, Qt::AscendingOrder);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(SizeColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(AgeColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(CudaColumn, QHeaderView::ResizeToContents);
    m_view->viewport()->installEventFilter(this);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_refresh);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        updateCount();
    });
    connect(m_refresh, &QToolButton::clicked, this, &ImageList::refreshRequested);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                // Restoring the selection after a refresh is not the user picking an image: it must not
                // overwrite what they typed into the form since.
                if (current.isValid() && !m_restoringSelection)
                    emit imagePicked(
                        current.siblingAtColumn(NameColumn).data(Qt::DisplayRole).toString());
            });
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        emit imageActivated(index.siblingAtColumn(NameColumn).data(Qt::DisplayRole).toString());
    });
    setLoading();
}

QString ImageList::age(const QDateTime &created, const QDateTime &now)
{
    if (!created.isValid())
        return tr("unknown");
    const qint64 s = qMax<qint64>(0, created.secsTo(now));
    if (s < 60)
        return tr("just now");
    // Without a loaded translation tr()'s %n does not pick a plural, so English picks here.
    const auto count = [](qint64 n, const QString &one, const QString &many) {
        return n == 1 ? one : many.arg(n);
    };
    if (s < 3600)
        return count(s / 60, tr("1 minute"), tr("%1 minutes"));
    if (s < 86400)
        return count(s / 3600, tr("1 hour"), tr("%1 hours"));
    if (s < 86400 * 60)
        return count(s / 86400, tr("1 day"), tr("%1 days"));
    if (s < 86400 * 730)
        return count(s / (86400 * 30), tr("1 month"), tr("%1 months"));
    return count(s / (86400 * 365), tr("1 year"), tr("%1 years"));
}

bool ImageList::showImagesOf(const Engine &engine)
{
    if (engine.imagesError().isError()) {
        setError(engine.imagesError().message());
        return false;
    }
    const QList<ImageSummary> &images = engine.images();
    setImages(images);
    for (const ImageSummary &image : images) {
        const QString cuda = engine.imageCuda(image.id);
        if (!cuda.isEmpty())
            setImageCuda(image.id, cuda);
    }
    return true;
}

QString ImageList::firstChoice(const QList<ImageSummary> &images)
{
    const auto ready = std::find_if(images.cbegin(), images.cend(), [](const ImageSummary &image) {
        return image.looksGpuReady();
    });
    if (ready != images.cend())
        return ready->displayName();
    return images.isEmpty() ? QString() : images.first().displayName();
}

void ImageList::setImages(const QList<ImageSummary> &images)
{
    const QString current = currentImage();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QIcon gpuIcon = Icons::get(QStringLiteral("gpu"));
    const QLocale locale;
    m_view->setSortingEnabled(false);
    m_model->removeRows(0, m_model->rowCount());
    QList<QList<QStandardItem *>> rows;
    for (const ImageSummary &image : images) {
        QStringList names;
        for (const QString &tag : image.repoTags) {
            if (tag != QLatin1String("<none>:<none>"))
                names.append(tag);
        }
        if (names.isEmpty())
            names.append(image.displayName());
        const bool gpu = image.looksGpuReady();
        for (const QString &name : std::as_const(names)) {
            auto *nameItem = new QStandardItem(name);
            nameItem->setData(name.toLower(), SortRole);
            // Size and age here too: a narrow list hides their columns.
            const QString facts = tr("%1, created %2")
                                      .arg(locale.formattedDataSize(image.size),
                                           age(image.created, now));
            nameItem->setToolTip(gpu ? tr("%1\n%2\n%3\nGPU-ready: its labels or name say CUDA "
                                          "or NVIDIA")
                                           .arg(name, image.id, facts)
                                     : tr("%1\n%2\n%3").arg(name, image.id, facts));
            if (gpu)
                nameItem->setIcon(gpuIcon);
            nameItem->setData(gpu, Qt::UserRole + 2);
            auto *sizeItem = new QStandardItem(locale.formattedDataSize(image.size));
            sizeItem->setData(image.size, SortRole);
            sizeItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            auto *ageItem = new QStandardItem(age(image.created, now));
            ageItem->setData(image.created.isValid() ? -image.created.toSecsSinceEpoch() : 0,
                             SortRole);
            ageItem->setToolTip(locale.toString(image.created.toLocalTime(), QLocale::ShortFormat));
            auto *cudaItem = new QStandardItem;
            cudaItem->setData(image.id, IdRole);
            cudaItem->setToolTip(tr("The CUDA version the image needs of the host's driver (its "
                                    "NVIDIA_REQUIRE_CUDA or CUDA_VERSION)"));
            rows.append({nameItem, sizeItem, ageItem, cudaItem});
        }
    }
    for (const auto &row : std::as_const(rows))
        m_model->appendRow(row);
    m_view->setSortingEnabled(true);
    updateCount();
    fitColumns();
    if (!current.isEmpty()) {
        m_restoringSelection = true;
        selectImage(current);
        m_restoringSelection = false;
    }
}

bool ImageList::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

void ImageList::fitColumns()
{
    const QFontMetrics metrics = m_view->fontMetrics();
    QHeaderView *header = m_view->header();
    // Room for a name such as "nvidia/cuda:12.4.1-base" before any figure is shown.
    const int nameRoom = metrics.horizontalAdvance(QLatin1Char('x')) * 24
                         + m_view->iconSize().width();
    const auto wants = [&](Column column) {
        int widest = header->sectionSizeHint(column);
        for (int row = 0; row < m_proxy->rowCount(); ++row)
            widest = qMax(widest, m_view->sizeHintForIndex(m_proxy->index(row, column)).width());
        return widest;
    };
    int others = wants(SizeColumn) + wants(AgeColumn) + wants(CudaColumn);
    const int width = m_view->viewport()->width();
    for (const Column column : {CudaColumn, AgeColumn, SizeColumn}) {
        const bool hide = width - others < nameRoom;
        header->setSectionHidden(column, hide);
        if (hide)
            others -= wants(column);
    }
}

void ImageList::setImageCuda(const QString &id, const QString &cuda)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        QStandardItem *item = m_model->item(row, CudaColumn);
        if (item && item->data(IdRole).toString() == id) {
            item->setText(cuda);
            item->setData(cuda, SortRole);
        }
    }
}

void ImageList::setError(const QString &message)
{
    m_model->removeRows(0, m_model->rowCount());
    m_status->setText(message);
    m_status->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_status));
}

void ImageList::setLoading()
{
    m_status->setText(tr("Reading the engine's images…"));
    m_status->setStyleSheet({});
}

void ImageList::updateCount()
{
    m_status->setStyleSheet({});
    const int all = imageCount();
    const int shown = visibleCount();
    const QString images = all == 1 ? tr("1 image") : tr("%1 images").arg(all);
    m_status->setText(all == shown ? images : tr("%1 of %2").arg(shown).arg(images));
}

int ImageList::imageCount() const
{
    return m_model->rowCount();
}

int ImageList::visibleCount() const
{
    return m_proxy->rowCount();
}

QString ImageList::currentImage() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? index.siblingAtColumn(NameColumn).data().toString() : QString();
}

void ImageList::selectImage(const QString &name)
{
    const QModelIndexList found = m_proxy->match(m_proxy->index(0, NameColumn), Qt::DisplayRole,
                                                 name, 1, Qt::MatchExactly);
    if (found.isEmpty())
        return;
    m_view->setCurrentIndex(found.first());
    m_view->scrollTo(found.first());
}
