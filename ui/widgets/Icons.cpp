#include "widgets/Icons.h"

#include <QApplication>
#include <QHash>
#include <QImageReader>
#include <QStyle>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initResources()
{
    Q_INIT_RESOURCE(gpudeck);
}

namespace Icons {

namespace {

bool svgAvailable()
{
    static const bool available = QImageReader::supportedImageFormats().contains("svg");
    return available;
}

QStyle::StandardPixmap fallback(const QString &name)
{
    static const QHash<QString, QStyle::StandardPixmap> map = {
        {QStringLiteral("launch"), QStyle::SP_MediaPlay},
        {QStringLiteral("stop"), QStyle::SP_MediaStop},
        {QStringLiteral("refresh"), QStyle::SP_BrowserReload},
        {QStringLiteral("find"), QStyle::SP_FileDialogContentsView},
        {QStringLiteral("save"), QStyle::SP_DialogSaveButton},
        {QStringLiteral("clear"), QStyle::SP_DialogResetButton},
        {QStringLiteral("close"), QStyle::SP_DialogCloseButton},
        {QStringLiteral("go-up"), QStyle::SP_ArrowUp},
        {QStringLiteral("go-down"), QStyle::SP_ArrowDown},
        {QStringLiteral("follow"), QStyle::SP_ArrowDown},
        {QStringLiteral("add"), QStyle::SP_FileDialogNewFolder},
        {QStringLiteral("remove"), QStyle::SP_TrashIcon},
        {QStringLiteral("busy"), QStyle::SP_MessageBoxWarning},
        {QStringLiteral("gpu"), QStyle::SP_DriveHDIcon},
        {QStringLiteral("state-running"), QStyle::SP_MediaPlay},
        {QStringLiteral("state-ok"), QStyle::SP_DialogApplyButton},
        {QStringLiteral("state-failed"), QStyle::SP_MessageBoxCritical},
        {QStringLiteral("state-stopped"), QStyle::SP_MediaStop},
        {QStringLiteral("engine-ok"), QStyle::SP_DialogApplyButton},
        {QStringLiteral("engine-error"), QStyle::SP_MessageBoxCritical},
        {QStringLiteral("gpudeck"), QStyle::SP_ComputerIcon},
        {QStringLiteral("io.github.gpudeck.GpuDeck"), QStyle::SP_ComputerIcon},
    };
    return map.value(name, QStyle::SP_CustomBase);
}

} // namespace

QIcon get(const QString &name)
{
    static const bool initialised = [] {
        initResources();
        return true;
    }();
    Q_UNUSED(initialised);
    // One QIcon per name for the whole process: an icon's rendered pixmaps are cached under its
    // own key, so a new QIcon for each tab or row would add cache entries with every launch.
    static QHash<QString, QIcon> icons;
    const auto found = icons.constFind(name);
    if (found != icons.constEnd())
        return found.value();
    QIcon icon;
    if (svgAvailable()) {
        icon = QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
    } else {
        const QStyle::StandardPixmap pixmap = fallback(name);
        if (pixmap != QStyle::SP_CustomBase)
            icon = QApplication::style()->standardIcon(pixmap);
    }
    icons.insert(name, icon);
    return icon;
}

} // namespace Icons
