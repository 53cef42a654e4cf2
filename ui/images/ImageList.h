#pragma once

#include "engine/EngineTypes.h"

#include <QDateTime>
#include <QList>
#include <QWidget>

class Engine;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QToolButton;
class QTreeView;

// The engine's local images, one row per repository:tag, with size, age and the CUDA version it
// needs, a filter box and a mark on GPU-ready images. Picking one sets the launch's image.
class ImageList : public QWidget
{
    Q_OBJECT

public:
    enum Column { NameColumn, SizeColumn, AgeColumn, CudaColumn };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int IdRole = Qt::UserRole + 3;

    explicit ImageList(QWidget *parent = nullptr);

    void setImages(const QList<ImageSummary> &images);
    // The engine's images with the CUDA each needs, or why they could not be listed (false).
    bool showImagesOf(const Engine &engine);
    // The image a form without one is offered: a GPU-ready one when there is one.
    static QString firstChoice(const QList<ImageSummary> &images);
    // The CUDA version an image needs (CudaRequirement::neededCuda), shown in its rows.
    void setImageCuda(const QString &id, const QString &cuda);
    void setError(const QString &message);
    void setLoading();
    int imageCount() const; // rows, before filtering
    int visibleCount() const;
    QString currentImage() const;
    void selectImage(const QString &name);

    // Age as people say it: "5 minutes", "3 days", "2 years".
    static QString age(const QDateTime &created, const QDateTime &now);

signals:
    void imagePicked(const QString &name);
    void imageActivated(const QString &name); // double click or Enter: launch it
    void refreshRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateCount();
    // The name column keeps room for a name: in a narrow list CUDA, then Age, then Size give way
    // (the name's tooltip has them).
    void fitColumns();

    bool m_restoringSelection = false;
    QLineEdit *m_filter;
    QToolButton *m_refresh;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLabel *m_status;
};
