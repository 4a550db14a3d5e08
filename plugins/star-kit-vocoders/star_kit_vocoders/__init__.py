"""star_kit vocoders: the HiFi-GAN log-mel latent with HiFi-GAN or Griffin-Lim decoding, and a trainable mel VAE."""
