import factory
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"bruker{n}@test.kommune.no")
    navn = factory.Faker("name", locale="no_NO")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "Et-godt-testpassord-123")
        if create:
            self.save(update_fields=["password"])
